import { HASH_COMMENT } from '../../model/comments';
import type { Format } from '../format';
import { completeNftables } from './complete';
import { nftablesEdits } from './edits';
import { layoutNftables } from './layout';
import { parseNftables } from './parse';

export const nftablesFormat: Format = {
  id: 'nftables',
  claims: (path) => /\.nft$/i.test(path) || /(^|[/\\])nftables\.conf$/i.test(path),
  parse: (text, ctx) => parseNftables(text, ctx),
  comment: HASH_COMMENT,
  edits: nftablesEdits,
  complete: completeNftables,
  layout: layoutNftables,
};
