import { HASH_COMMENT } from '../../model/comments';
import type { Format } from '../format';
import { kubernetesEdits } from './edits';
import { looksLikeKubernetes, parseKubernetes } from './parse';

/** Kubernetes manifests have no telling file name: they are recognised by content (apiVersion + kind). */
export const kubernetesFormat: Format = {
  id: 'kubernetes',
  claims: (path) => /\.k8s\.ya?ml$/i.test(path),
  claimsContent: (_path, head) => looksLikeKubernetes(head),
  parse: (text, ctx) => parseKubernetes(text, ctx),
  comment: HASH_COMMENT,
  edits: kubernetesEdits,
};
