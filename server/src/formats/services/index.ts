import type { Format } from '../format';
import { servicesClaims } from './claims';
import { parseServices } from './parse';

export const servicesFormat: Format = {
  ...servicesClaims,
  parse: (text, ctx) => parseServices(text, ctx),
};
