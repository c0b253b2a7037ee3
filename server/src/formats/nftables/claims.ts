import { HASH_COMMENT } from '../../model/comments';
import type { FormatClaims } from '../format';

export const nftablesClaims: FormatClaims = {
  id: 'nftables',
  claims: (path) => /\.nft$/i.test(path) || /(^|[/\\])nftables\.conf$/i.test(path),
  comment: HASH_COMMENT,
};
