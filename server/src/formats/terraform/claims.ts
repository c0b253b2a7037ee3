import { HASH_COMMENT } from '../../model/comments';
import type { FormatClaims } from '../format';

export const terraformClaims: FormatClaims = {
  id: 'terraform',
  claims: (path) => /\.(tf|tfvars)(\.json)?$/i.test(path),
  comment: HASH_COMMENT,
};
