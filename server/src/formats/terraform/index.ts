import { HASH_COMMENT } from '../../model/comments';
import { cloudEdits } from '../cloud/edits';
import type { Format } from '../format';
import { parseTerraform } from './parse';

export const terraformFormat: Format = {
  id: 'terraform',
  claims: (path) => /\.(tf|tfvars)(\.json)?$/i.test(path),
  parse: (text, ctx) => parseTerraform(text, ctx),
  comment: HASH_COMMENT,
  edits: cloudEdits('hcl'),
};
