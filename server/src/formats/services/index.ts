import { HASH_COMMENT } from '../../model/comments';
import type { Format } from '../format';
import { parseServices } from './parse';

export const servicesFormat: Format = {
  id: 'services',
  claims: (path) => /(^|[/\\])services$|\.services$/i.test(path),
  parse: (text, ctx) => parseServices(text, ctx),
  comment: HASH_COMMENT,
};
