/**
 * The service matrix as people read it: per chain (zone, anchor, resource), rows worst-first — internet-reachable
 * risky ports, then the rest of the internet rows, then rows open to listed networks, loopback last — with
 * service names, sources in words and the deciding rules. Editors render it (the VS Code Exposure view);
 * code lenses summarise it. Same analysis as `portcullis exposure --format json`.
 */
import type { ChainMatrix, MatrixEntry } from '../analysis/matrix';
import { describeSources, isWorld } from '../analysis/reach';
import type { ResolvedSettings } from '../analysis/settings';
import { serviceAt } from '../knowledge/registry';
import type { Risk } from '../knowledge/risks';
import type { Range } from '../model/range';
import type { Chain, Ruleset } from '../model/ruleset';
import { findChain } from '../model/ruleset';
import { isLoopback } from '../analysis/interfaces';
import { PortSet } from '../model/ports';
import { portsLabel } from './exposure-view';

/** internet: (almost) any address; networks: listed sources; local: loopback only. */
export type Reach = 'internet' | 'networks' | 'local';

export interface ExposureRow {
  protocol: 'tcp' | 'udp';
  ports: [number, number][];
  /** "3389 (ms-wbt-server)", "3000-6000", "all ports". */
  portsLabel: string;
  /** IANA names of the row's ports, for rows of a few ports. */
  services: string[];
  /** Risky services among the ports, e.g. "RDP" (high first). */
  risks: { service: string; level: Risk['level']; ports: [number, number] }[];
  reach: Reach;
  /** Sources in words, as the CLI prints them. */
  sources: string;
  /** The sources as CIDR networks (at most SOURCE_LIMIT), and how many there are. */
  cidrs: string[];
  cidrCount: number;
  /** "on eth0", "on interfaces other than lo", or empty. */
  interface: string;
  rules: { line: number; range: Range; text: string }[];
  policy: boolean;
  approximate: boolean;
}

export interface ExposureGroup {
  table: string;
  chain: string;
  family: 'ipv4' | 'ipv6';
  /** Where the chain (zone, resource) is declared, for links and code lenses. */
  range?: Range;
  rows: ExposureRow[];
}

const SOURCE_LIMIT = 200;
const LEVEL_RANK: Record<Risk['level'], number> = { high: 0, medium: 1, low: 2 };

export function exposureGroups(matrix: ChainMatrix[], ruleset: Ruleset, lines: string[], settings: ResolvedSettings): ExposureGroup[] {
  return matrix.map((c) => {
    const chain: Chain | undefined = findChain(ruleset, c.table, c.chain);
    const rows = c.entries.map((e) => row(e, c.family, lines, settings)).sort(worstFirst);
    return { table: c.table, chain: c.chain, family: c.family, ...(chain ? { range: chain.range } : {}), rows };
  });
}

function row(e: MatrixEntry, family: 'ipv4' | 'ipv6', lines: string[], settings: ResolvedSettings): ExposureRow {
  const ranges = e.ports.ranges();
  const loopback = e.interface !== undefined && isLoopback(e.interface);
  const reach: Reach = loopback ? 'local' : isWorld(e.sources.subtract(settings.trusted), family) ? 'internet' : 'networks';
  // Loopback rows carry only the host's own traffic: no exposure, so no risk to flag.
  const risks =
    reach === 'local'
      ? []
      : ranges
          .flatMap(([lo, hi]) => settings.risks.risksInRange(lo, hi, e.protocol))
          .filter((r, i, all) => all.indexOf(r) === i)
          .sort((a, b) => LEVEL_RANK[a.level] - LEVEL_RANK[b.level] || a.ports[0] - b.ports[0])
          .map((r) => ({ service: r.service.split(' (')[0], level: r.level, ports: [r.ports[0], r.ports[1]] as [number, number] }));
  const few = ranges.reduce((n, [a, b]) => n + b - a + 1, 0) <= 8;
  const services = few
    ? ranges.flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, i) => serviceAt(a + i, e.protocol)?.name ?? '')).filter(Boolean)
    : [];
  const cidrs = e.sources.toCidrs(family);
  const iface =
    e.interface === undefined ? '' : e.interface.startsWith('!') ? `on interfaces other than ${e.interface.slice(1)}` : `on ${e.interface}`;
  return {
    protocol: e.protocol,
    ports: ranges.map(([a, b]) => [a, b]),
    portsLabel: portsLabel(e),
    services: [...new Set(services)],
    risks,
    reach,
    sources: describeSources(e.sources, family),
    cidrs: cidrs.slice(0, SOURCE_LIMIT),
    cidrCount: cidrs.length,
    interface: iface,
    rules: e.rules.map((r) => ({ line: r.range.start.line, range: r.range, text: (lines[r.range.start.line] ?? '').trim().slice(0, 120) })),
    policy: e.byPolicy,
    approximate: e.approximate,
  };
}

const REACH_RANK: Record<Reach, number> = { internet: 0, networks: 1, local: 2 };

/** Internet + risky, internet, networks + risky, networks, loopback; then the worst risk, then the port. */
function worstFirst(a: ExposureRow, b: ExposureRow): number {
  const rank = (r: ExposureRow) => REACH_RANK[r.reach] * 2 + (r.risks.length ? 0 : 1);
  const risk = (r: ExposureRow) => (r.risks.length ? LEVEL_RANK[r.risks[0].level] : 3);
  return rank(a) - rank(b) || risk(a) - risk(b) || a.ports[0][0] - b.ports[0][0] || a.protocol.localeCompare(b.protocol);
}

/** Per chain (both families together): how many ports the internet reaches, and how many risky ones. */
export interface ChainSummary {
  table: string;
  chain: string;
  range: Range;
  internetPorts: number;
  riskyPorts: number;
  networkRows: number;
  text: string;
}

export function chainSummaries(groups: ExposureGroup[]): ChainSummary[] {
  const byChain = new Map<string, ExposureGroup[]>();
  for (const g of groups) {
    if (!g.range) continue;
    const key = `${g.table}\u0000${g.chain}`;
    byChain.set(key, [...(byChain.get(key) ?? []), g]);
  }
  return [...byChain.values()].map((gs) => {
    const rows = gs.flatMap((g) => g.rows);
    // A port counts once per protocol however many families or rows open it.
    const open = { tcp: PortSet.NONE, udp: PortSet.NONE };
    const risky = new Set<string>();
    for (const r of rows.filter((x) => x.reach === 'internet')) {
      open[r.protocol] = open[r.protocol].union(PortSet.fromRanges(r.ports));
      for (const k of r.risks) risky.add(`${k.ports[0]}-${k.ports[1]}/${r.protocol}`);
    }
    const count = open.tcp.size() + open.udp.size();
    const networkRows = rows.filter((x) => x.reach === 'networks').length;
    const all = open.tcp.isAll() || open.udp.isAll();
    const parts = [
      all
        ? `all ${open.tcp.isAll() && open.udp.isAll() ? 'TCP and UDP' : open.tcp.isAll() ? 'TCP' : 'UDP'} ports reachable from the internet`
        : count
          ? `${count} port${count === 1 ? '' : 's'} reachable from the internet`
          : 'nothing reachable from the internet',
      risky.size ? `${risky.size} risky` : '',
      !count && networkRows ? `${networkRows} row${networkRows === 1 ? '' : 's'} open to listed networks` : '',
    ];
    return {
      table: gs[0].table,
      chain: gs[0].chain,
      range: gs[0].range!,
      internetPorts: count,
      riskyPorts: risky.size,
      networkRows,
      text: parts.filter(Boolean).join(' · '),
    };
  });
}
