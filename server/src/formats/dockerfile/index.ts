import type { Format } from '../format';
import { dockerfileClaims } from './claims';
import { parseDockerfile } from './parse';

export const dockerfileFormat: Format = {
  ...dockerfileClaims,
  parse: (text, ctx) => parseDockerfile(text, ctx),
};
