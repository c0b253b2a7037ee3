import type { Format } from '../format';
import { pfClaims } from './claims';
import { completePf } from './complete';
import { pfEdits } from './edits';
import { layoutPf } from './layout';
import { parsePf } from './parse';

export const pfFormat: Format = {
  ...pfClaims,
  parse: (text, ctx) => parsePf(text, ctx),
  edits: pfEdits,
  complete: completePf,
  layout: layoutPf,
};
