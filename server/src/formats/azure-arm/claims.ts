import type { FormatClaims } from '../format';

export const azureArmClaims: FormatClaims = {
  id: 'azure-arm',
  claims: (path) => /(^|[/\\])(azuredeploy|mainTemplate)\.json$/i.test(path),
  // Any .json that declares the deployment-template schema (parameter files declare a different one).
  claimsContent: (path, head) => /\.json$/i.test(path) && /schema\.management\.azure\.com\/schemas\/[^"]*deploymentTemplate\.json/i.test(head),
  comment: { open: '//' },
};
