import { cloudEdits } from '../cloud/edits';
import type { Format } from '../format';
import { azureArmClaims } from './claims';
import { parseArm } from './parse';

export const azureArmFormat: Format = {
  ...azureArmClaims,
  parse: (text, ctx) => parseArm(text, ctx),
  edits: cloudEdits('json'),
};
