import type { Format } from '../format';
import { iptablesClaims } from './claims';
import { completeIptables } from './complete';
import { iptablesEdits } from './edits';
import { parseIptables } from './parse';

export const iptablesFormat: Format = {
  ...iptablesClaims,
  parse: (text, ctx) => parseIptables(text, ctx),
  edits: iptablesEdits,
  complete: completeIptables,
};
