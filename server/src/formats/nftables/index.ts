import type { Format } from '../format';
import { nftablesClaims } from './claims';
import { completeNftables } from './complete';
import { nftablesEdits } from './edits';
import { layoutNftables } from './layout';
import { parseNftables } from './parse';

export const nftablesFormat: Format = {
  ...nftablesClaims,
  parse: (text, ctx) => parseNftables(text, ctx),
  edits: nftablesEdits,
  complete: completeNftables,
  layout: layoutNftables,
};
