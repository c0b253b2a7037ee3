import { HASH_COMMENT } from '../../model/comments';
import { cloudEdits } from '../cloud/edits';
import type { Format } from '../format';
import { parseCloudFormation } from './parse';

const isJson = (path: string | undefined) => /\.json$/i.test(path ?? '');

export const cloudformationFormat: Format = {
  id: 'cloudformation',
  claims: (path) => /\.(cfn|template)\.(ya?ml|json)$/i.test(path) || /\.template$/i.test(path),
  // Plain .yaml/.json files are CloudFormation when they say so; compose and Kubernetes files never do.
  claimsContent: (path, head) => /\.(ya?ml|json)$/i.test(path) && /AWSTemplateFormatVersion|["']?Type["']?\s*:\s*["']?AWS::[A-Za-z0-9]+::/.test(head),
  parse: (text, ctx) => parseCloudFormation(text, isJson(ctx.path) || /^\s*\{/.test(text)),
  comment: HASH_COMMENT,
  edits: cloudEdits('yaml'),
};
