import type { Format } from '../format';
import { firewalldClaims } from './claims';
import { completeFirewalld } from './complete';
import { firewalldEdits } from './edits';
import { parseFirewalld } from './parse';

export const firewalldFormat: Format = {
  ...firewalldClaims,
  parse: (text, ctx) => parseFirewalld(text, ctx),
  edits: firewalldEdits,
  complete: completeFirewalld,
};
