import { HASH_COMMENT } from '../../model/comments';
import type { Format } from '../format';
import { parseDockerfile } from './parse';

export const dockerfileFormat: Format = {
  id: 'dockerfile',
  languageIds: ['dockerfile'],
  claims: (path) => /(^|[/\\])(Dockerfile|Containerfile)(\.[^/\\]*)?$|\.(Dockerfile|Containerfile)$/i.test(path),
  parse: (text, ctx) => parseDockerfile(text, ctx),
  comment: HASH_COMMENT,
};
