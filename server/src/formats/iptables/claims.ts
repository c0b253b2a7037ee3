import { HASH_COMMENT } from '../../model/comments';
import type { FormatClaims } from '../format';

const NAMES = /(^|[/\\])(rules\.v[46]|i?p?6?tables\.rules|ip6?tables-save|ip6?tables\.conf|(user|before|after)6?\.rules)$/i;
/** Red Hat's saved rules: /etc/sysconfig/iptables and ip6tables (no extension). */
const SYSCONFIG = /(^|[/\\])sysconfig[/\\]ip6?tables$/;

export const iptablesClaims: FormatClaims = {
  id: 'iptables',
  claims: (path) => NAMES.test(path) || SYSCONFIG.test(path) || /\.(rules|iptables|ip6tables|v4|v6)$/i.test(path),
  comment: HASH_COMMENT,
};
