import { HASH_COMMENT } from '../../model/comments';
import type { FormatClaims } from '../format';

export const pfClaims: FormatClaims = {
  id: 'pf',
  // pf.conf, pf-*.conf, *-pf.conf, *.pf, and anchors in /etc/pf.anchors/ (macOS) or named *.anchor.
  claims: (path) => /(^|[/\\])pf[^/\\]*\.conf$/i.test(path) || /[-_.]pf\.conf$/i.test(path) || /\.(pf|anchor)$/i.test(path) || /(^|[/\\])pf\.anchors[/\\][^/\\]+$/.test(path),
  comment: HASH_COMMENT,
};
