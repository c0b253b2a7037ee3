/**
 * Oracle 1: agreement of Portcullis's exposure analysis with the verified analyser of diekmann/
 * Iptables_Semantics (../shared/corpus/iptables-golden): fffuu's service matrices and the upper/lower
 * closure simplified rulesets. Shared by golden.test.ts and scripts/golden-report.mjs (which loads the
 * compiled out/test/unit/oracle/agreement.js). No tests here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyseExposure, type ChainExposure } from '../../../server/src/analysis/exposure';
import { OTHER } from '../../../server/src/analysis/interfaces';
import { parseIptables } from '../../../server/src/formats/iptables/parse';
import { portOfService } from '../../../server/src/knowledge/registry';
import { AddressSet } from '../../../server/src/model/addresses';
import type { Rule } from '../../../server/src/model/ruleset';
import { CORPUS } from '../../support/corpus';
import { readMatrices } from '../../support/golden';
import { acceptsSomeLower, acceptsSomeUpper, parseListing } from '../../support/listing';

const ctx = { resolveService: (n: string, p?: string) => portOfService(n, p as 'tcp') };

export const SIMPLIFIED_PORTS = [22, 80, 443, 3389, 8080];

/** Interface → source addresses, as fffuu's ipassmt; names absent from it are unconstrained. */
export type Assignment = Map<string, AddressSet>;

const A = (s: string): AddressSet => {
  const a = AddressSet.parse(s);
  if (!a) throw new Error(`bad address ${s}`);
  return a;
};
const union = (...xs: string[]): AddressSet => xs.reduce((acc, x) => acc.union(A(x)), AddressSet.NONE);
const allBut = (...xs: string[]): AddressSet => AddressSet.ANY_V4.subtract(union(...xs));

/** Reads ipassmt_*.txt: `name = [cidr, …]` or `name = all_but_those_ips [ … ]`, possibly over several lines. */
export function readAssignment(text: string): Assignment {
  const out: Assignment = new Map();
  const re = /^\s*([\w.+-]+)\s*=\s*(all_but_those_ips\s*)?\[([^\]]*)\]/gm;
  for (const m of text.matchAll(re)) {
    const items = m[3]
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => s.replace(/^(\d+\.\d+\.\d+\.\d+)-(\d+\.\d+\.\d+\.\d+)$/, '$1-$2'));
    const set = union(...items);
    out.set(m[1], m[2] ? AddressSet.ANY_V4.subtract(set) : set);
  }
  return out;
}

const LO: [string, AddressSet] = ['lo', A('127.0.0.0/8')];

/** The interface assignment each simplified ruleset was computed with (iptables-golden/README.md, section 2). */
export function assignmentFor(ruleset: string): Assignment | undefined {
  const golden = path.join(CORPUS, 'iptables-golden');
  if (ruleset.startsWith('tum-net')) {
    const a = readAssignment(fs.readFileSync(path.join(golden, 'ipassmt_tumi8.txt'), 'utf8'));
    a.set('eth0', A('192.168.213.0/24'));
    a.set(...LO);
    return a;
  }
  if (ruleset.startsWith('sqrl')) {
    const a = readAssignment(fs.readFileSync(path.join(golden, 'ipassmt_sqrl.txt'), 'utf8'));
    a.set(...LO);
    return a;
  }
  const table: Record<string, [string, AddressSet][]> = {
    'home-user': [
      // ipassmt_wg in IP_Address_Space_Examples_All_Small.thy: eth0.N = 192.168.N.0/24 for 11 VLANs
      ...[10, 11, 12, 13, 14, 19, 20, 21, 22, 23, 24].map((n): [string, AddressSet] => [`eth0.${n}`, A(`192.168.${n}.0/24`)]),
      ['tun0', A('10.12.0.0/16')],
      ['eth1', allBut('127.0.0.0/8', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16')],
    ],
    'synology-legacy-iface': [['eth0', A('192.168.1.0/24')]],
    ugent: [
      ['eth0', A('192.168.134.0/24')],
      ['eth1', A('192.168.16.0/24')],
      ['eth2', A('131.159.15.64/26')],
      ['virbr0', A('192.168.122.0/24')],
    ],
    'medium-sized-company': [['eth0', A('172.16.2.0/24')]],
    'openvpn-eu': [
      ['eth0', A('192.168.0.0/24')],
      ['eth1', A('192.168.2.0/24')],
    ],
    openwrt: [
      ['eth0', A('192.168.1.0/24')],
      ['tun0', A('10.8.0.0/24')],
      ['br-lan', A('192.168.1.0/24')],
    ],
    rlworkman: [
      ['eth0', A('192.168.13.0/24')],
      ['ppp0', allBut('192.168.13.0/24', '127.0.0.0/8')],
    ],
  };
  const t = table[ruleset];
  return t ? new Map([...t, LO]) : undefined;
}

/** Union over interface classes of the sources that may open a connection (fffuu abstracts interfaces). */
export function reachable(ce: ChainExposure, protocol: 'tcp' | 'udp', port: number, assignment?: Assignment): AddressSet {
  let s = AddressSet.NONE;
  for (const g of ce.grants) {
    if (g.protocol !== protocol || !g.ports.has(port)) continue;
    const allowed = assignment && g.iface !== OTHER ? assignment.get(g.iface) : undefined;
    s = s.union(allowed ? g.sources.intersect(allowed) : g.sources);
  }
  return s.restrict('ipv4');
}

/**
 * fffuu analyses the filter table alone (every packet NEW, nothing dropped or NOTRACKed in raw, no NAT), so the
 * comparison does too: the other tables' lines are blanked, keeping line numbers.
 */
function onlyFilterTable(text: string): string {
  let on = false;
  return text
    .split('\n')
    .map((line) => {
      if (line.startsWith('*')) on = line.trim() === '*filter';
      return on ? line : '';
    })
    .join('\n');
}

const cache = new Map<string, ReturnType<typeof analyseExposure>>();
export function exposureOf(rulesFile: string): ReturnType<typeof analyseExposure> {
  let e = cache.get(rulesFile);
  if (!e) {
    const text = onlyFilterTable(fs.readFileSync(path.join(CORPUS, 'iptables', rulesFile), 'utf8'));
    e = analyseExposure(parseIptables(text, { ...ctx, path: rulesFile }));
    cache.set(rulesFile, e);
  }
  return e;
}

export function chainOf(rulesFile: string, chain: string): ChainExposure | undefined {
  return exposureOf(rulesFile).chains.find((c) => c.chain.name === chain && c.family === 'ipv4');
}

export type Relation = 'equal' | 'subset' | 'superset' | 'incomparable';
export function relation(ours: AddressSet, theirs: AddressSet): Relation {
  const a = theirs.covers(ours);
  const b = ours.covers(theirs);
  return a && b ? 'equal' : a ? 'subset' : b ? 'superset' : 'incomparable';
}

export interface MatrixRow {
  golden: string;
  ruleset: string;
  chain: string;
  port: number;
  /** undefined when the comparison is not meaningful (raw table, which the exposure analysis does not model). */
  relation?: Relation;
  /** The same with our per-interface sources restricted to fffuu's interface assignment. */
  relationAssigned?: Relation;
  ours?: string[];
  golden_sources: string[];
  note?: string;
  /** FORWARD with destinations: class b (internet) destinations, golden vs the rules our grants came from. */
  internet?: { representative: string; goldenDestinations: string[]; oursCovers: boolean; oursAnyDestination: boolean };
}

export const FFFUU: { golden: string; ruleset: string; table: string; chain: string; assignment?: string }[] = [
  { golden: 'synology_iptables-save_jun_2015_cleanup.txt', ruleset: 'synology-2015-cleanup.rules', table: 'filter', chain: 'INPUT' },
  {
    golden: 'i8_iptables-save-2015-05-15_15-23-41_cheating.txt',
    ruleset: 'tum-net-2015-05-15-cheating.rules',
    table: 'filter',
    chain: 'FORWARD',
    assignment: 'ipassmt_tumi8.txt',
  },
  {
    golden: 'sqrl_2015_aug_iptables-save-spoofing-protection.txt',
    ruleset: 'sqrl-shorewall-2015-spoofing.rules',
    table: 'raw',
    chain: 'PREROUTING',
    assignment: 'ipassmt_sqrl.txt',
  },
  { golden: 'parser_test.txt', ruleset: 'parser-test.rules', table: 'filter', chain: 'FORWARD' },
];

function destinationOf(rule: Rule | undefined): AddressSet | undefined {
  if (!rule) return undefined;
  let d: AddressSet | undefined;
  for (const c of rule.conditions) {
    if (c.kind !== 'destination' || c.unresolved?.length) continue;
    const s = c.negated ? c.set.complement() : c.set;
    d = d ? d.intersect(s) : s;
  }
  return d?.restrict('ipv4');
}

export function matrixRows(): MatrixRow[] {
  const rows: MatrixRow[] = [];
  for (const f of FFFUU) {
    const matrices = readMatrices(fs.readFileSync(path.join(CORPUS, 'iptables-golden', f.golden), 'utf8'));
    for (const m of matrices) {
      const row: MatrixRow = {
        golden: f.golden,
        ruleset: f.ruleset,
        chain: `${f.table}/${f.chain}`,
        port: m.port,
        golden_sources: m.reachableSources.toCidrs(),
      };
      rows.push(row);
      if (f.table !== 'filter') {
        row.note = 'raw table: the exposure analysis covers filter chains hooked to input/forward only';
        continue;
      }
      const ce = chainOf(f.ruleset, f.chain)!;
      const ours = reachable(ce, 'tcp', m.port);
      row.ours = ours.toCidrs();
      row.relation = relation(ours, m.reachableSources);
      if (f.assignment) {
        const a = readAssignment(fs.readFileSync(path.join(CORPUS, 'iptables-golden', f.assignment), 'utf8'));
        row.relationAssigned = relation(reachable(ce, 'tcp', m.port, a), m.reachableSources);
      }
      if (f.chain === 'FORWARD' && m.classes.has('b') && m.edges.some(([x]) => x === 'b')) {
        // Destinations class b reaches, per fffuu, against the destinations of the rules granting it to us.
        const b = m.classes.get('b')!;
        const rep =
          b
            .toCidrs()
            .map((c) => c.split('/')[0])
            .find((x) => !x.startsWith('0.')) ?? b.toCidrs()[0].split('/')[0];
        let golden = AddressSet.NONE;
        for (const [x, y] of m.edges) if (x === 'b') golden = golden.union(m.classes.get(y)!);
        let dests = AddressSet.NONE;
        let anyDest = false;
        for (const g of ce.grants) {
          if (g.protocol !== 'tcp' || !g.ports.has(m.port) || !g.sources.has(rep)) continue;
          const d = destinationOf(g.rule);
          if (!d) anyDest = true;
          else dests = dests.union(d);
        }
        row.internet = {
          representative: rep,
          goldenDestinations: golden.toCidrs(),
          oursCovers: anyDest || dests.covers(golden),
          oursAnyDestination: anyDest,
        };
      }
    }
  }
  return rows;
}

export interface SimplifiedRow {
  ruleset: string;
  chain: string;
  port: number;
  ours: AddressSet;
  upper: AddressSet;
  lower: AddressSet;
  /** ours ⊆ upper closure's accepted sources (ours is an over-approximation, so this may fail only for interfaces). */
  withinUpper: boolean;
  /** ours ⊇ lower closure's accepted sources: must hold (a lower-closure accept is a real accept). */
  coversLower: boolean;
  /** Whether ours, restricted to the interface assignment the simplification used, lies within upper. */
  withinUpperAssigned?: boolean;
  /** Sources in ours but not in upper (after the assignment restriction when there is one). */
  excess: string[];
  missing: string[];
}

export function simplifiedFiles(): { ruleset: string; chain: string; upper: string; lower: string }[] {
  const dir = path.join(CORPUS, 'iptables-golden', 'simplified');
  const out: { ruleset: string; chain: string; upper: string; lower: string }[] = [];
  for (const f of fs.readdirSync(dir).sort()) {
    const m = /^(.*)\.(FWD|INP)\.upper\.txt$/.exec(f);
    if (!m) continue;
    out.push({
      ruleset: m[1],
      chain: m[2] === 'FWD' ? 'FORWARD' : 'INPUT',
      upper: path.join(dir, f),
      lower: path.join(dir, `${m[1]}.${m[2]}.lower.txt`),
    });
  }
  return out;
}

export function simplifiedRows(ports = SIMPLIFIED_PORTS): SimplifiedRow[] {
  const rows: SimplifiedRow[] = [];
  for (const f of simplifiedFiles()) {
    const upper = parseListing(fs.readFileSync(f.upper, 'utf8')).get(f.chain)!;
    const lower = parseListing(fs.readFileSync(f.lower, 'utf8')).get(f.chain)!;
    const ce = chainOf(`${f.ruleset}.rules`, f.chain);
    if (!ce) throw new Error(`no ${f.chain} exposure for ${f.ruleset}`);
    const assignment = assignmentFor(f.ruleset);
    for (const port of ports) {
      const ours = reachable(ce, 'tcp', port);
      const up = acceptsSomeUpper(upper, 'tcp', port);
      const lo = acceptsSomeLower(lower, 'tcp', port);
      const assigned = assignment ? reachable(ce, 'tcp', port, assignment) : ours;
      rows.push({
        ruleset: f.ruleset,
        chain: f.chain,
        port,
        ours,
        upper: up,
        lower: lo,
        withinUpper: up.covers(ours),
        coversLower: ours.covers(lo),
        withinUpperAssigned: assignment ? up.covers(assigned) : undefined,
        excess: assigned.subtract(up).toCidrs(),
        missing: lo.subtract(ours).toCidrs(),
      });
    }
  }
  return rows;
}
