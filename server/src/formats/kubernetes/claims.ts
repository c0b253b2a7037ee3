import { HASH_COMMENT } from '../../model/comments';
import type { FormatClaims } from '../format';

export function looksLikeKubernetes(text: string): boolean {
  const head = text.length > 65536 ? text.slice(0, 65536) : text;
  // Block style at the start of a line, or flow/JSON style after `{` or `,`.
  return /(^|[{,])\s*["']?apiVersion["']?\s*:/m.test(head) && /(^|[{,])\s*["']?kind["']?\s*:\s*["']?[A-Z]\w+/m.test(head);
}

/** Kubernetes manifests have no telling file name: they are recognised by content (apiVersion + kind). */
export const kubernetesClaims: FormatClaims = {
  id: 'kubernetes',
  claims: (path) => /\.k8s\.ya?ml$/i.test(path),
  claimsContent: (_path, head) => looksLikeKubernetes(head),
  comment: HASH_COMMENT,
};
