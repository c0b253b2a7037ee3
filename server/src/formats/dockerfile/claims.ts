import { HASH_COMMENT } from '../../model/comments';
import type { FormatClaims } from '../format';

export const dockerfileClaims: FormatClaims = {
  id: 'dockerfile',
  languageIds: ['dockerfile'],
  claims: (path) => /(^|[/\\])(Dockerfile|Containerfile)(\.[^/\\]*)?$|\.(Dockerfile|Containerfile)$/i.test(path),
  comment: HASH_COMMENT,
};
