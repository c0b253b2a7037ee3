import { cloudEdits } from '../cloud/edits';
import type { Format } from '../format';
import { parseArm } from './parse';

export const azureArmFormat: Format = {
  id: 'azure-arm',
  claims: (path) => /(^|[/\\])(azuredeploy|mainTemplate)\.json$/i.test(path),
  // Any .json that declares the deployment-template schema (parameter files declare a different one).
  claimsContent: (path, head) => /\.json$/i.test(path) && /schema\.management\.azure\.com\/schemas\/[^"]*deploymentTemplate\.json/i.test(head),
  parse: (text, ctx) => parseArm(text, ctx),
  comment: { open: '//' },
  edits: cloudEdits('json'),
};
