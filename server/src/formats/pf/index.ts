import { HASH_COMMENT } from '../../model/comments';
import type { Format } from '../format';
import { completePf } from './complete';
import { pfEdits } from './edits';
import { parsePf } from './parse';

export const pfFormat: Format = {
  id: 'pf',
  claims: (path) => /(^|[/\\])pf\.conf$/i.test(path) || /\.pf$/i.test(path) || /(^|[/\\])pf[^/\\]*\.conf$/i.test(path),
  parse: (text, ctx) => parsePf(text, ctx),
  comment: HASH_COMMENT,
  edits: pfEdits,
  complete: completePf,
};
