import type { Format } from '../format';
import { iptablesClaims } from './claims';
import { completeIptables } from './complete';
import { iptablesEdits } from './edits';
import { iptablesInert } from './inert';
import { parseIptables } from './parse';
import { reparseIptables } from './splice';

export const iptablesFormat: Format = {
  ...iptablesClaims,
  parse: (text, ctx) => parseIptables(text, ctx),
  inert: iptablesInert,
  reparse: reparseIptables,
  edits: iptablesEdits,
  complete: completeIptables,
};
