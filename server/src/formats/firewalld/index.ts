import type { Format } from '../format';
import { completeFirewalld } from './complete';
import { firewalldEdits } from './edits';
import { parseFirewalld } from './parse';

export const firewalldFormat: Format = {
  id: 'firewalld',
  claims: (path) => /(^|[/\\])firewalld[/\\](.*[/\\])?[^/\\]+\.xml$/i.test(path),
  parse: (text, ctx) => parseFirewalld(text, ctx),
  comment: { open: '<!--', close: '-->' },
  edits: firewalldEdits,
  complete: completeFirewalld,
};
