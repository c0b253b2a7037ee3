import { cloudEdits } from '../cloud/edits';
import type { Format } from '../format';
import { cloudformationClaims } from './claims';
import { parseCloudFormation } from './parse';

const isJson = (path: string | undefined) => /\.json$/i.test(path ?? '');

export const cloudformationFormat: Format = {
  ...cloudformationClaims,
  parse: (text, ctx) => parseCloudFormation(text, isJson(ctx.path) || /^\s*\{/.test(text)),
  edits: cloudEdits('yaml'),
};
