/**
 * Words nft 1.0.6's scanner always returns as keywords, so they cannot be used unquoted (or, in 1.0.6, quoted)
 * as table, chain or set names. Measured against `nft -c` 1.0.6 by declaring a chain of each name.
 */
export const NFT_KEYWORDS = new Set(
  (
    'accept add ah all and arp bridge cgroup chain comment comp constant continue counter cpu create ct day dccp define ' +
    'delete describe device devices dnat drop dst dup dynamic ecn element elements esp ether exists expires exthdr fib ' +
    'flags flow flowtable flush frag fwd get goto handle hbh hook hour ibriport ibrname icmp icmpv6 igmp iif iifgroup ' +
    'iifname iiftype include index inet insert interval ip ip6 ipsec jhash jump limit list log lt map mark masquerade meta ' +
    'meter mh missing monitor ne netdev nftrace not notrack numgen obriport obrname offload oif oifgroup oifname oiftype or ' +
    'osf pkttype policy position priority queue quota random redefine redirect reject rename replace reset return rt ' +
    'rtclassid rule ruleset sctp secmark set size skgid skuid snat socket srh symhash synproxy table tcp th time timeout ' +
    'tproxy type typeof udp udplite undefine update vlan vmap xor xt gt ge le eq lshift rshift rt0 rt2 import export ' +
    'gre gretap vxlan geneve destroy last quota tunnel'
  ).split(/\s+/),
);

/** Identifiers nft's scanner reads as a plain string: a letter, `_` or `.` first, then letters, digits, `/ - _ .`. */
export const IDENTIFIER = /^[A-Za-z_.][A-Za-z0-9/\-_.]*$/;

export const FAMILIES = new Set(['ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev']);

/** Words that start a statement or match inside a rule; an expression value never runs into one of these. */
export const STATEMENT_START = new Set([
  'ip',
  'ip6',
  'tcp',
  'udp',
  'th',
  'sctp',
  'dccp',
  'udplite',
  'meta',
  'ct',
  'iif',
  'oif',
  'iifname',
  'oifname',
  'iiftype',
  'oiftype',
  'iifgroup',
  'oifgroup',
  'icmp',
  'icmpv6',
  'igmp',
  'ether',
  'vlan',
  'arp',
  'fib',
  'rt',
  'rt0',
  'rt2',
  'srh',
  'osf',
  'socket',
  'exthdr',
  'frag',
  'hbh',
  'dst',
  'mh',
  'ipsec',
  'numgen',
  'jhash',
  'symhash',
  'mark',
  'pkttype',
  'skuid',
  'skgid',
  'cpu',
  'cgroup',
  'nftrace',
  'rtclassid',
  'ibrname',
  'obrname',
  'ibriport',
  'obriport',
  'ah',
  'esp',
  'comp',
  'gre',
  'gretap',
  'vxlan',
  'geneve',
  'time',
  'day',
  'hour',
  'counter',
  'log',
  'limit',
  'quota',
  'comment',
  'accept',
  'drop',
  'reject',
  'jump',
  'goto',
  'return',
  'continue',
  'queue',
  'notrack',
  'snat',
  'dnat',
  'masquerade',
  'redirect',
  'meter',
  'dup',
  'fwd',
  'tproxy',
  'synproxy',
  'flow',
  'add',
  'update',
  'delete',
  'last',
  'xt',
  'secmark',
]);

export const VERDICTS = new Set(['accept', 'drop', 'reject', 'jump', 'goto', 'return', 'continue', 'queue']);

export const RELOPS: Record<string, 'eq' | 'ne' | 'lt' | 'gt' | 'le' | 'ge'> = {
  '==': 'eq',
  eq: 'eq',
  '!=': 'ne',
  ne: 'ne',
  '<': 'lt',
  lt: 'lt',
  '>': 'gt',
  gt: 'gt',
  '<=': 'le',
  le: 'le',
  '>=': 'ge',
  ge: 'ge',
};

export const BINOPS = new Set(['&', '|', '^', '<<', '>>', 'and', 'or', 'xor', 'lshift', 'rshift', '/', '.', ':', 'map', '-']);

export const HOOKS = new Set(['prerouting', 'input', 'forward', 'output', 'postrouting', 'ingress', 'egress']);

export const CT_STATES = new Set(['new', 'established', 'related', 'invalid', 'untracked']);

export const PROTOCOL_NAMES: Record<string, string> = {
  '6': 'tcp',
  '17': 'udp',
  '1': 'icmp',
  '58': 'icmpv6',
  '132': 'sctp',
  '33': 'dccp',
  '136': 'udplite',
  'ipv6-icmp': 'icmpv6',
};

export const PORT_PROTOCOLS = new Set(['tcp', 'udp', 'sctp', 'dccp', 'udplite']);
