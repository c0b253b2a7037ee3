import { HASH_COMMENT } from '../../model/comments';
import type { Format } from '../format';
import { completePf } from './complete';
import { pfEdits } from './edits';
import { pfInert } from './inert';
import { layoutPf } from './layout';
import { parsePf } from './parse';

export const pfFormat: Format = {
  id: 'pf',
  // pf.conf, pf-*.conf, *-pf.conf, *.pf, and anchors in /etc/pf.anchors/ (macOS) or named *.anchor.
  claims: (path) => /(^|[/\\])pf[^/\\]*\.conf$/i.test(path) || /[-_.]pf\.conf$/i.test(path) || /\.(pf|anchor)$/i.test(path) || /(^|[/\\])pf\.anchors[/\\][^/\\]+$/.test(path),
  parse: (text, ctx) => parsePf(text, ctx),
  comment: HASH_COMMENT,
  inert: pfInert,
  edits: pfEdits,
  complete: completePf,
  layout: layoutPf,
};
