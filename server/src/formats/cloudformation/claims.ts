import { HASH_COMMENT } from '../../model/comments';
import type { FormatClaims } from '../format';

export const cloudformationClaims: FormatClaims = {
  id: 'cloudformation',
  claims: (path) => /\.(cfn|template)\.(ya?ml|json)$/i.test(path) || /\.template$/i.test(path),
  // Plain .yaml/.json files are CloudFormation when they say so; compose and Kubernetes files never do.
  claimsContent: (path, head) => /\.(ya?ml|json)$/i.test(path) && /AWSTemplateFormatVersion|["']?Type["']?\s*:\s*["']?AWS::[A-Za-z0-9]+::/.test(head),
  comment: HASH_COMMENT,
};
