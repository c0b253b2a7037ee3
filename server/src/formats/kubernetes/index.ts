import type { Format } from '../format';
import { kubernetesClaims } from './claims';
import { kubernetesEdits } from './edits';
import { parseKubernetes } from './parse';

export const kubernetesFormat: Format = {
  ...kubernetesClaims,
  parse: (text, ctx) => parseKubernetes(text, ctx),
  edits: kubernetesEdits,
};
