/**
 * Completion for pf.conf: rule keywords in the order pf expects them, protocols, ports and services after
 * `port`, and the document's own macros (`$name`) and tables (`<name>`).
 */
import { declaredNames, portCompletions } from '../complete-ports';
import type { Completion, CompletionContext } from '../format';

type Entry = [string, string];

const START: Entry[] = [
  ['pass', 'allow matching packets (the last matching rule wins, unless `quick`)'],
  ['block', 'block matching packets'],
  ['match', 'apply options without deciding'],
  ['table', 'an address table: `table <trusted> { 10.0.0.0/8 }`'],
  ['set skip on lo', 'do not filter loopback'],
  ['set block-policy', 'drop or return for blocked packets'],
  ['antispoof', 'block spoofed packets for an interface'],
  ['anchor', 'a sub-ruleset'],
  ['load anchor', 'load rules into an anchor from a file'],
  ['scrub', 'normalise packets'],
  ['include', 'read another file'],
];
const IN_RULE: Entry[] = [
  ['in', 'incoming packets'],
  ['out', 'outgoing packets'],
  ['quick', 'stop at this rule when it matches'],
  ['log', 'log matching packets'],
  ['on', 'interface, e.g. `on egress`'],
  ['inet', 'IPv4 only'],
  ['inet6', 'IPv6 only'],
  ['proto', 'protocol: tcp, udp, icmp …'],
  ['from', 'source'],
  ['to', 'destination'],
  ['port', 'a port, a range or a list'],
  ['all', 'any source, any destination'],
  ['flags S/SA', 'connection-opening SYN only'],
  ['keep state', 'track the connection (the default for pass)'],
  ['modulate state', 'keep state with randomised sequence numbers'],
  ['synproxy state', 'complete the handshake before passing'],
  ['label', 'a label for statistics'],
  ['tag', 'tag packets'],
  ['user', 'owning user (sockets)'],
  ['rdr-to', 'redirect to another address/port'],
  ['nat-to', 'source NAT'],
  ['max-src-conn-rate', 'limit new connections per source (with keep state)'],
];
const AFTER: Record<string, Entry[]> = {
  proto: [
    ['tcp', ''],
    ['udp', ''],
    ['icmp', ''],
    ['icmp6', ''],
    ['{ tcp udp }', 'both transports'],
  ],
  block: [
    ['in', ''],
    ['out', ''],
    ['drop', 'discard silently'],
    ['return', 'answer with RST or ICMP unreachable'],
    ['quick', ''],
    ['log', ''],
    ['all', ''],
  ],
  'block-policy': [
    ['drop', 'discard silently'],
    ['return', 'answer with RST or ICMP unreachable'],
  ],
  from: [
    ['any', 'any address'],
    ['self', "this host's addresses"],
    ['!', 'not'],
  ],
  to: [
    ['any', 'any address'],
    ['self', "this host's addresses"],
    ['!', 'not'],
  ],
  keep: [['state', '']],
};

const keywords = (list: Entry[]): Completion[] => list.map(([label, detail]) => ({ label, kind: 'keyword', detail }));

export function completePf(ctx: CompletionContext): Completion[] {
  const before = ctx.before;
  const words = before.trim().split(/\s+/).filter(Boolean);
  const current = /\s$/.test(before) || !words.length ? '' : words[words.length - 1];
  const prior = current ? words.slice(0, -1) : words;
  const previous = prior[prior.length - 1] ?? '';
  const macros = () =>
    declaredNames(ctx.lines, /^\s*([A-Za-z_][\w]*)\s*=/).map((n): Completion => ({ label: `$${n}`, kind: 'keyword', detail: 'macro' }));
  const tables = () =>
    declaredNames(ctx.lines, /^\s*table\s+<([^>]+)>/).map((n): Completion => ({ label: `<${n}>`, kind: 'keyword', detail: 'table' }));
  if (current.startsWith('$')) return macros();
  if (current.startsWith('<')) return tables();
  const rest = before.slice(0, before.length - current.length);
  if (/\bport\s+(=\s*)?(\{[^}]*)?$/.test(rest))
    return portCompletions(ctx, current.replace(/^[{,]/, ''), /\bproto\s+udp\b/.test(before) ? 'udp' : 'tcp');
  if (previous === 'from' || previous === 'to') return [...keywords(AFTER[previous]), ...tables(), ...macros()];
  if (AFTER[previous]) return keywords(AFTER[previous]);
  if (!prior.length) return [...keywords(START), ...macros()];
  if (/^(pass|block|match)$/.test(prior[0])) return keywords(IN_RULE);
  return [];
}
