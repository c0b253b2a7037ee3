import { cloudEdits } from '../cloud/edits';
import type { Format } from '../format';
import { terraformClaims } from './claims';
import { parseTerraform } from './parse';

export const terraformFormat: Format = {
  ...terraformClaims,
  parse: (text, ctx) => parseTerraform(text, ctx),
  edits: cloudEdits('hcl'),
};
