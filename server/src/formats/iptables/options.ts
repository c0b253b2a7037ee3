/**
 * What iptables accepts on a rule line: option names, how many arguments each takes, which match module or
 * target they belong to. Syntax only; nothing here says what is risky.
 */

/** Built-in chains per table, and the netfilter hook each is attached to. */
export const BUILTIN_CHAINS: Record<string, Record<string, string>> = {
  filter: { INPUT: 'input', FORWARD: 'forward', OUTPUT: 'output' },
  nat: { PREROUTING: 'prerouting', INPUT: 'input', OUTPUT: 'output', POSTROUTING: 'postrouting' },
  mangle: { PREROUTING: 'prerouting', INPUT: 'input', FORWARD: 'forward', OUTPUT: 'output', POSTROUTING: 'postrouting' },
  raw: { PREROUTING: 'prerouting', OUTPUT: 'output' },
  security: { INPUT: 'input', FORWARD: 'forward', OUTPUT: 'output' },
};

/**
 * Netfilter priority of each table's chains on a hook (iptables registers its tables at these): raw first,
 * then conntrack (-200), mangle, destination NAT, filter, security, source NAT.
 */
export function tablePriority(table: string, hook: string): number | undefined {
  const p: Record<string, number> = { raw: -300, mangle: -150, filter: 0, security: 50 };
  if (table === 'nat') return hook === 'prerouting' || hook === 'output' ? -100 : 100;
  return p[table];
}

/** Targets that end evaluation with a verdict the filter model knows. */
export const VERDICT_TARGETS: Record<string, 'accept' | 'drop' | 'reject' | 'return'> = {
  ACCEPT: 'accept',
  DROP: 'drop',
  REJECT: 'reject',
  RETURN: 'return',
  TARPIT: 'drop',
};

/** Extension targets that let the packet go on to the next rule. */
export const CONTINUE_TARGETS = new Set([
  'LOG', 'ULOG', 'NFLOG', 'MARK', 'CONNMARK', 'CLASSIFY', 'TCPMSS', 'TOS', 'DSCP', 'TTL', 'HL', 'TRACE', 'NOTRACK',
  'CT', 'SET', 'AUDIT', 'CHECKSUM', 'IDLETIMER', 'LED', 'SECMARK', 'CONNSECMARK', 'TEE', 'RATEEST', 'HMARK',
  'TCPOPTSTRIP', 'ECN', 'IPV4OPTSSTRIP', 'CLUSTERIP', 'JOURNAL',
]);

/** Extension targets that end evaluation with something other than a filter verdict. */
export const OTHER_TARGETS = new Set(['DNAT', 'SNAT', 'MASQUERADE', 'REDIRECT', 'NETMAP', 'QUEUE', 'NFQUEUE', 'SYNPROXY', 'MIRROR', 'SAME']);

/** Number of arguments per option; -1 means "all following words that are not options". */
type Arity = number;

/** Options of match modules, keyed by module name. */
export const MATCH_OPTIONS: Record<string, Record<string, Arity>> = {
  tcp: { '--dport': 1, '--destination-port': 1, '--sport': 1, '--source-port': 1, '--syn': 0, '--tcp-flags': 2, '--tcp-option': 1, '--mss': 1 },
  udp: { '--dport': 1, '--destination-port': 1, '--sport': 1, '--source-port': 1 },
  sctp: { '--dport': 1, '--destination-port': 1, '--sport': 1, '--source-port': 1, '--chunk-types': -1 },
  dccp: { '--dport': 1, '--destination-port': 1, '--sport': 1, '--source-port': 1, '--dccp-types': 1, '--dccp-option': 1 },
  udplite: {},
  icmp: { '--icmp-type': 1 },
  icmp6: { '--icmpv6-type': 1 },
  icmpv6: { '--icmpv6-type': 1 },
  multiport: { '--dports': 1, '--destination-ports': 1, '--sports': 1, '--source-ports': 1, '--ports': 1 },
  state: { '--state': 1 },
  conntrack: { '--ctstate': 1, '--ctproto': 1, '--ctorigsrc': 1, '--ctorigdst': 1, '--ctreplsrc': 1, '--ctrepldst': 1, '--ctorigsrcport': 1, '--ctorigdstport': 1, '--ctreplsrcport': 1, '--ctrepldstport': 1, '--ctstatus': 1, '--ctexpire': 1, '--ctdir': 1 },
  comment: { '--comment': 1 },
  iprange: { '--src-range': 1, '--dst-range': 1 },
  set: { '--match-set': 2, '--set': 2, '--return-nomatch': 0, '--update-counters': 0, '--no-update-counters': 0, '--update-subcounters': 0, '--packets-eq': 1, '--packets-lt': 1, '--packets-gt': 1, '--bytes-eq': 1, '--bytes-lt': 1, '--bytes-gt': 1 },
  limit: { '--limit': 1, '--limit-burst': 1 },
  hashlimit: { '--hashlimit': 1, '--hashlimit-upto': 1, '--hashlimit-above': 1, '--hashlimit-burst': 1, '--hashlimit-mode': 1, '--hashlimit-name': 1, '--hashlimit-htable-size': 1, '--hashlimit-htable-max': 1, '--hashlimit-htable-expire': 1, '--hashlimit-htable-gcinterval': 1, '--hashlimit-srcmask': 1, '--hashlimit-dstmask': 1 },
  recent: { '--name': 1, '--set': 0, '--rcheck': 0, '--update': 0, '--remove': 0, '--seconds': 1, '--reap': 0, '--hitcount': 1, '--rttl': 0, '--rsource': 0, '--rdest': 0, '--mask': 1 },
  mac: { '--mac-source': 1 },
  mark: { '--mark': 1 },
  connmark: { '--mark': 1 },
  connlimit: { '--connlimit-upto': 1, '--connlimit-above': 1, '--connlimit-mask': 1, '--connlimit-saddr': 0, '--connlimit-daddr': 0 },
  addrtype: { '--src-type': 1, '--dst-type': 1, '--limit-iface-in': 0, '--limit-iface-out': 0 },
  physdev: { '--physdev-in': 1, '--physdev-out': 1, '--physdev-is-in': 0, '--physdev-is-out': 0, '--physdev-is-bridged': 0 },
  length: { '--length': 1 },
  ttl: { '--ttl-eq': 1, '--ttl-gt': 1, '--ttl-lt': 1 },
  hl: { '--hl-eq': 1, '--hl-gt': 1, '--hl-lt': 1 },
  pkttype: { '--pkt-type': 1 },
  owner: { '--uid-owner': 1, '--gid-owner': 1, '--socket-exists': 0, '--suppl-groups': 0 },
  time: { '--datestart': 1, '--datestop': 1, '--timestart': 1, '--timestop': 1, '--monthdays': 1, '--weekdays': 1, '--days': 1, '--kerneltz': 0, '--utc': 0, '--localtz': 0, '--contiguous': 0 },
  string: { '--algo': 1, '--from': 1, '--to': 1, '--string': 1, '--hex-string': 1, '--icase': 0 },
  tos: { '--tos': 1 },
  dscp: { '--dscp': 1, '--dscp-class': 1 },
  helper: { '--helper': 1 },
  policy: { '--dir': 1, '--pol': 1, '--strict': 0, '--reqid': 1, '--spi': 1, '--proto': 1, '--mode': 1, '--tunnel-src': 1, '--tunnel-dst': 1, '--next': 0 },
  rt: { '--rt-type': 1, '--rt-segsleft': 1, '--rt-len': 1, '--rt-0-res': 0, '--rt-0-addrs': 1, '--rt-0-not-strict': 0 },
  frag: { '--fragid': 1, '--fraglen': 1, '--fragres': 0, '--fragfirst': 0, '--fragmore': 0, '--fraglast': 0 },
  ipv6header: { '--header': 1, '--soft': 0 },
  u32: { '--u32': 1 },
  statistic: { '--mode': 1, '--probability': 1, '--every': 1, '--packet': 1 },
  socket: { '--transparent': 0, '--nowildcard': 0, '--restore-skmark': 0 },
  rpfilter: { '--loose': 0, '--validmark': 0, '--accept-local': 0, '--invert': 0 },
  devgroup: { '--src-group': 1, '--dst-group': 1 },
  ah: { '--ahspi': 1 },
  esp: { '--espspi': 1 },
  'ipv4options': { '--ssrr': 0, '--lsrr': 0, '--no-srr': 0, '--rr': 0, '--ts': 0, '--ra': 0, '--any-opt': 0 },
  state6: {},
  condition: { '--condition': 1 },
  psd: { '--psd-weight-threshold': 1, '--psd-delay-threshold': 1, '--psd-lo-ports-weight': 1, '--psd-hi-ports-weight': 1 },
  ecn: { '--ecn-tcp-cwr': 0, '--ecn-tcp-ece': 0, '--ecn-ip-ect': 1 },
  quota: { '--quota': 1 },
  cpu: { '--cpu': 1 },
  realm: { '--realm': 1 },
  cgroup: { '--path': 1, '--cgroup': 1 },
  bpf: { '--bytecode': 1, '--object-pinned': 1 },
  nfacct: { '--nfacct-name': 1 },
  osf: { '--genre': 1, '--ttl': 1, '--log': 1 },
  cluster: { '--cluster-total-nodes': 1, '--cluster-local-node': 1, '--cluster-local-nodemask': 1, '--cluster-hash-seed': 1 },
  connbytes: { '--connbytes': 1, '--connbytes-dir': 1, '--connbytes-mode': 1 },
  connlabel: { '--label': 1, '--set': 0 },
  eui64: {},
  ipvs: { '--ipvs': 0, '--vproto': 1, '--vaddr': 1, '--vport': 1, '--vdir': 1, '--vmethod': 1, '--vportctl': 1 },
};

/** Options of extension targets, keyed by target name. */
export const TARGET_OPTIONS: Record<string, Record<string, Arity>> = {
  REJECT: { '--reject-with': 1 },
  LOG: { '--log-level': 1, '--log-prefix': 1, '--log-tcp-sequence': 0, '--log-tcp-options': 0, '--log-ip-options': 0, '--log-uid': 0, '--log-macdecode': 0 },
  ULOG: { '--ulog-nlgroup': 1, '--ulog-prefix': 1, '--ulog-cprange': 1, '--ulog-qthreshold': 1 },
  NFLOG: { '--nflog-group': 1, '--nflog-prefix': 1, '--nflog-range': 1, '--nflog-size': 1, '--nflog-threshold': 1 },
  DNAT: { '--to-destination': 1, '--to': 1, '--random': 0, '--persistent': 0 },
  SNAT: { '--to-source': 1, '--to': 1, '--random': 0, '--random-fully': 0, '--persistent': 0 },
  MASQUERADE: { '--to-ports': 1, '--random': 0, '--random-fully': 0 },
  REDIRECT: { '--to-ports': 1, '--random': 0 },
  NETMAP: { '--to': 1 },
  MARK: { '--set-mark': 1, '--set-xmark': 1, '--and-mark': 1, '--or-mark': 1, '--xor-mark': 1 },
  CONNMARK: { '--set-mark': 1, '--set-xmark': 1, '--save-mark': 0, '--restore-mark': 0, '--nfmask': 1, '--ctmask': 1, '--mask': 1, '--and-mark': 1, '--or-mark': 1, '--xor-mark': 1 },
  TCPMSS: { '--set-mss': 1, '--clamp-mss-to-pmtu': 0 },
  TOS: { '--set-tos': 1, '--and-tos': 1, '--or-tos': 1, '--xor-tos': 1 },
  DSCP: { '--set-dscp': 1, '--set-dscp-class': 1 },
  TTL: { '--ttl-set': 1, '--ttl-dec': 1, '--ttl-inc': 1 },
  HL: { '--hl-set': 1, '--hl-dec': 1, '--hl-inc': 1 },
  CLASSIFY: { '--set-class': 1 },
  NFQUEUE: { '--queue-num': 1, '--queue-balance': 1, '--queue-bypass': 0, '--fail-open': 0, '--queue-cpu-fanout': 0 },
  QUEUE: {},
  CT: { '--notrack': 0, '--helper': 1, '--ctevents': 1, '--expevents': 1, '--zone': 1, '--zone-orig': 1, '--zone-reply': 1, '--timeout': 1 },
  SET: { '--add-set': 2, '--del-set': 2, '--map-set': 2, '--timeout': 1, '--exist': 0, '--map-mark': 0, '--map-prio': 0, '--map-queue': 0 },
  CHECKSUM: { '--checksum-fill': 0 },
  SECMARK: { '--selctx': 1 },
  CONNSECMARK: { '--save': 0, '--restore': 0 },
  AUDIT: { '--type': 1 },
  TEE: { '--gateway': 1 },
  IDLETIMER: { '--timeout': 1, '--label': 1 },
  LED: { '--led-trigger-id': 1, '--led-delay': 1, '--led-always-blink': 0 },
  SYNPROXY: { '--mss': 1, '--wscale': 1, '--sack-perm': 0, '--timestamp': 0, '--ecn': 0 },
  HMARK: { '--hmark-tuple': 1, '--hmark-mod': 1, '--hmark-offset': 1, '--hmark-rnd': 1, '--hmark-src-prefix': 1, '--hmark-dst-prefix': 1 },
  MIRROR: {},
  SAME: { '--to': 1, '--nodst': 0 },
  TARPIT: { '--tarpit': 0, '--honeypot': 0, '--reset': 0 },
  CLUSTERIP: { '--new': 0, '--hashmode': 1, '--clustermac': 1, '--total-nodes': 1, '--local-node': 1, '--hash-init': 1 },
};

/** Transport protocols that carry ports, and so may be tested with --dport/--sport. */
export const PORT_PROTOCOLS = new Set(['tcp', 'udp', 'sctp', 'dccp', 'udplite']);

/** Protocol numbers iptables-save may print instead of names. */
export const PROTOCOL_NUMBERS: Record<string, string> = { '1': 'icmp', '6': 'tcp', '17': 'udp', '58': 'ipv6-icmp', '132': 'sctp', '33': 'dccp', '136': 'udplite', '47': 'gre', '50': 'esp', '51': 'ah', '0': 'all' };
