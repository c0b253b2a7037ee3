import { HASH_COMMENT } from '../../model/comments';
import type { FormatClaims } from '../format';

export const servicesClaims: FormatClaims = {
  id: 'services',
  claims: (path) => /(^|[/\\])services$|\.services$/i.test(path),
  comment: HASH_COMMENT,
};
