import { HASH_COMMENT } from '../../model/comments';
import type { Format } from '../format';
import { completeIptables } from './complete';
import { iptablesEdits } from './edits';
import { iptablesInert } from './inert';
import { parseIptables } from './parse';

const NAMES = /(^|[/\\])(rules\.v[46]|i?p?6?tables\.rules|ip6?tables-save|ip6?tables\.conf|(user|before|after)6?\.rules)$/i;
/** Red Hat's saved rules: /etc/sysconfig/iptables and ip6tables (no extension). */
const SYSCONFIG = /(^|[/\\])sysconfig[/\\]ip6?tables$/;

export const iptablesFormat: Format = {
  id: 'iptables',
  claims: (path) => NAMES.test(path) || SYSCONFIG.test(path) || /\.(rules|iptables|ip6tables|v4|v6)$/i.test(path),
  parse: (text, ctx) => parseIptables(text, ctx),
  comment: HASH_COMMENT,
  inert: iptablesInert,
  edits: iptablesEdits,
  complete: completeIptables,
};
