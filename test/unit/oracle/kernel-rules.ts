/**
 * Helpers for the kernel differential test (kernel.test.ts): rewriting corpus rulesets so that a network
 * namespace can load them and a peer can exercise them with private addresses, choosing probe sources and
 * ports, a seeded random ruleset generator, and the comparison with Portcullis's prediction. No tests here.
 */
import { analyseExposure, type ChainExposure, type Transport } from '../../../server/src/analysis/exposure';
import { OTHER } from '../../../server/src/analysis/interfaces';
import { parseIptables } from '../../../server/src/formats/iptables/parse';
import { parseNftables } from '../../../server/src/formats/nftables/parse';
import { portOfService } from '../../../server/src/knowledge/registry';
import { AddressSet } from '../../../server/src/model/addresses';
import { rng } from '../../support/rng';

export { rng };

const ADDR_OPTS = new Set(['-s', '-d', '--src', '--dst', '--source', '--destination']);
const V4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)(?:\/(\d+))?$/;

function toNum(a: string): number {
  return a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}
function toAddr(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}
function parseCidr(t: string): { base: number; prefix: number } | undefined {
  const m = V4.exec(t);
  if (!m) return undefined;
  const prefix = m[5] === undefined ? 32 : Number(m[5]);
  const size = 2 ** (32 - prefix);
  return { base: Math.floor(toNum(t.split('/')[0]) / size) * size, prefix };
}

/** Only the *filter table of an iptables-save file, as lines. */
export function filterTable(text: string): string[] {
  const out: string[] = [];
  let on = false;
  for (const line of text.replace(/\r/g, '').split('\n')) {
    if (line.startsWith('*')) on = line.trim() === '*filter';
    if (on) out.push(line);
    if (on && line.trim() === 'COMMIT') on = false;
  }
  return out;
}

/** Tokens after address options in a list of rule lines, as CIDRs. */
function addressTokens(lines: string[]): { base: number; prefix: number }[] {
  const out: { base: number; prefix: number }[] = [];
  for (const line of lines) {
    const t = line.split(/\s+/);
    for (let i = 0; i + 1 < t.length; i++) {
      if (!ADDR_OPTS.has(t[i])) continue;
      const v = t[i + 1] === '!' ? t[i + 2] : t[i + 1];
      const c = v && parseCidr(v);
      if (c && c.prefix > 0) out.push(c);
    }
  }
  return out;
}

/**
 * A prefix-preserving map of the ruleset's addresses into 10.100.0.0–10.199.255.255: every outermost network
 * the rules name gets an aligned block of its own size there (a /16 when it is wider: then its first 16 host
 * bits are kept), and the networks inside it keep their relative position.
 */
export class AddressMap {
  private readonly tops: { base: number; prefix: number; img: number }[] = [];
  constructor(cidrs: { base: number; prefix: number }[]) {
    const sorted = [...cidrs].sort((a, b) => a.prefix - b.prefix || a.base - b.base);
    let cursor = toNum('10.100.0.0');
    for (const c of sorted) {
      if (this.topOf(c.base)) continue;
      // Outermost networks get an aligned block of their own size (a /16 at most, compressed when wider).
      const size = 2 ** (32 - Math.max(16, c.prefix));
      cursor = Math.ceil(cursor / size) * size;
      if (cursor + size > toNum('10.200.0.0')) throw new Error('too many networks to map');
      this.tops.push({ ...c, img: cursor });
      cursor += size;
    }
  }
  private topOf(addr: number): { base: number; prefix: number; img: number } | undefined {
    return this.tops.find((t) => addr >= t.base && addr < t.base + 2 ** (32 - t.prefix));
  }
  map(text: string): string {
    const c = parseCidr(text);
    if (!c || c.prefix === 0) return text;
    const t = this.topOf(c.base);
    if (!t) throw new Error(`unmapped ${text}`);
    const off = c.base - t.base;
    if (t.prefix >= 16) return `${toAddr(t.img + off)}/${c.prefix}`;
    const shift = 16 - t.prefix;
    return `${toAddr(t.img + Math.floor(off / 2 ** shift))}/${Math.min(32, c.prefix + shift)}`;
  }
}

/** The interface class Portcullis puts a concrete interface name in: itself, the longest wildcard, or OTHER. */
export function classOf(name: string, classes: string[]): string {
  if (classes.includes(name)) return name;
  const wild = classes.filter((c) => /[+*]$/.test(c) && name.startsWith(c.slice(0, -1))).sort((a, b) => b.length - a.length);
  return wild[0] ?? OTHER;
}

export interface Prepared {
  text: string;
  /** The interface class the probes arrive on, as Portcullis names it. */
  ifaceClass: string;
  notes: string[];
}

/**
 * Rewrites a corpus ruleset for the lab: filter table only; OUTPUT emptied with policy ACCEPT (replies must
 * leave; exposure is about INPUT); addresses mapped into private space; the most used input interface
 * (other than lo) renamed to the lab's veth.
 */
export function prepareCorpus(text: string, fwIf: string): Prepared {
  const notes: string[] = [];
  let lines = filterTable(text);
  if (!lines.length) throw new Error('no *filter table');
  const before = lines.length;
  lines = lines.filter((l) => !/^-[AI] OUTPUT\b/.test(l)).map((l) => (l.startsWith(':OUTPUT ') ? ':OUTPUT ACCEPT [0:0]' : l));
  if (lines.length < before) notes.push(`dropped ${before - lines.length} OUTPUT rules (OUTPUT policy ACCEPT)`);
  const map = new AddressMap(addressTokens(lines));
  const counts = new Map<string, number>();
  for (const l of lines)
    for (const m of l.matchAll(/(?:^|\s)(?:-i|--in-interface)\s+(?:!\s+)?(\S+)/g))
      if (m[1] !== 'lo' && !/[+*]$/.test(m[1])) counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
  const main = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (main) notes.push(`-i ${main} → -i ${fwIf}`);
  lines = lines.map((l) => {
    if (!l.startsWith('-')) return l;
    const t = l.split(' ');
    for (let i = 0; i + 1 < t.length; i++) {
      const j = t[i + 1] === '!' ? i + 2 : i + 1;
      if (ADDR_OPTS.has(t[i]) && j < t.length)
        t[j] = t[j]
          .split(',')
          .map((x) => map.map(x))
          .join(',');
      if ((t[i] === '-i' || t[i] === '--in-interface') && main && t[j] === main) t[j] = fwIf;
    }
    return t.join(' ');
  });
  return { text: lines.join('\n') + '\n', ifaceClass: main ? fwIf : OTHER, notes };
}

/** Comments out the line iptables-restore names in its error, or returns false. */
export function dropFailingLine(text: string, error: string): { text: string; line: string } | undefined {
  const m = /line:? (\d+)/i.exec(error);
  if (!m) return undefined;
  const lines = text.split('\n');
  const n = Number(m[1]) - 1;
  if (n < 0 || n >= lines.length || !lines[n].startsWith('-')) return undefined;
  const line = lines[n];
  lines[n] = `# unloadable: ${line}`;
  return { text: lines.join('\n'), line };
}

/** One source per class of addresses the rules' -s networks tell apart (inside 10.100–10.199), capped. */
export function probeSources(text: string, extra: string[], cap = 14): string[] {
  const lo = toNum('10.100.0.0');
  const hi = toNum('10.199.255.255');
  const cuts = new Set<number>([lo, hi + 1]);
  for (const line of text.split('\n')) {
    if (!line.startsWith('-')) continue;
    const t = line.split(/\s+/);
    for (let i = 0; i + 1 < t.length; i++) {
      if (t[i] !== '-s' && t[i] !== '--source' && t[i] !== '--src') continue;
      const v = t[i + 1] === '!' ? t[i + 2] : t[i + 1];
      for (const part of (v ?? '').split(',')) {
        const c = parseCidr(part);
        if (!c) continue;
        for (const x of [c.base, c.base + 2 ** (32 - c.prefix)]) if (x > lo && x <= hi) cuts.add(x);
      }
    }
  }
  const sorted = [...cuts].sort((a, b) => a - b);
  let reps: string[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    const a = sorted[i];
    const b = sorted[i + 1] - 1;
    // Prefer the interval's first address, but avoid .0 and .255 (valid, but confusing in reports).
    let x = a;
    while (x < b && (x % 256 === 0 || x % 256 === 255)) x++;
    reps.push(toAddr(x));
  }
  if (reps.length > cap) {
    const step = reps.length / cap;
    reps = Array.from({ length: cap }, (_, k) => reps[Math.floor(k * step)]);
  }
  return [...new Set([...extra, ...reps])];
}

/** Ports the rules name (and their neighbours at range ends) plus a fixed set, capped. */
export function probePorts(text: string, base = [22, 80, 443, 3389, 8080, 40000], cap = 14): number[] {
  const named = new Set<number>();
  for (const m of text.matchAll(/--(?:dport|dports|destination-port|destination-ports|ports)\s+(?:!\s+)?(\S+)/g)) {
    for (const part of m[1].split(',')) {
      const [a, b] = part.split(':').map(Number);
      for (const p of [a, b ?? a, (b ?? a) + 1]) if (Number.isInteger(p) && p > 0 && p < 65536) named.add(p);
    }
  }
  const extra = [...named].filter((p) => !base.includes(p)).sort((x, y) => x - y);
  const room = Math.max(0, cap - base.length);
  const step = extra.length > room ? extra.length / room : 1;
  const picked = extra.length > room ? Array.from({ length: room }, (_, k) => extra[Math.floor(k * step)]) : extra;
  return [...base, ...picked];
}

const ctx = { resolveService: (n: string, p?: string) => portOfService(n, p as 'tcp') };

export interface Prediction {
  accept: boolean;
  /** Every grant covering the probe is approximate (opaque match, destination, output interface …). */
  approximate: boolean;
  rules: string[];
}

/** The exposure of the chain hooked to input, from iptables-save / ip6tables-save text or from `nft list ruleset`. */
export function inputExposure(text: string, format: 'iptables' | 'nft' = 'iptables', family: 'ipv4' | 'ipv6' = 'ipv4'): ChainExposure {
  const rs =
    format === 'nft'
      ? parseNftables(text, { ...ctx, path: 'kernel.nft' })
      : parseIptables(text, { ...ctx, path: family === 'ipv6' ? 'kernel.v6.rules' : 'kernel.rules', family });
  const ce = analyseExposure(rs).chains.find((c) => c.chain.hook === 'input' && c.chain.type === 'filter' && c.family === family);
  if (!ce) throw new Error('no INPUT exposure');
  return ce;
}

export function predict(ce: ChainExposure, text: string, proto: Transport, port: number, src: string, iface: string): Prediction {
  const lines = text.split('\n');
  const grants = ce.grants.filter((g) => g.protocol === proto && g.iface === iface && g.ports.has(port) && g.sources.has(src));
  return {
    accept: grants.length > 0,
    approximate: grants.length > 0 && grants.every((g) => g.approximate),
    rules: grants.map(
      (g) =>
        (g.rule ? `${g.rule.range.start.line + 1}: ${lines[g.rule.range.start.line]}` : 'policy ACCEPT') +
        (g.approximate ? ` [approximate: ${g.reasons.join('; ')}]` : ''),
    ),
  };
}


const NETS = [
  '10.100.0.0/16',
  '10.100.1.0/24',
  '10.100.1.128/25',
  '10.100.2.7',
  '10.101.0.0/16',
  '10.101.5.0/24',
  '10.102.0.0/15',
  '10.100.1.9',
];
const PORTS = ['22', '80', '443', '3389', '8080', '5353', '1000:2000', '8000:8100'];

/**
 * A random ruleset over a small grammar: INPUT policy ACCEPT/DROP; up to three user chains reached by -j or
 * -g (only towards higher-numbered chains, so no loops); rules with optional [!] -i, [!] -p tcp/udp,
 * [!] -s, [!] --dport / multiport --dports, state NEW / ESTABLISHED,RELATED, occasionally -m limit; targets
 * ACCEPT, DROP, REJECT, RETURN (in user chains), jumps and gotos.
 */
export function randomRuleset(seed: number, fwIf: string): string {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const chance = (p: number): boolean => r() < p;
  const nUser = Math.floor(r() * 4);
  const users = Array.from({ length: nUser }, (_, k) => `U${k + 1}`);
  const lines = [
    '*filter',
    `:INPUT ${pick(['ACCEPT', 'DROP'])} [0:0]`,
    ':FORWARD DROP [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ...users.map((u) => `:${u} - [0:0]`),
  ];
  const chains = ['INPUT', ...users];
  chains.forEach((chain, ci) => {
    const n = 1 + Math.floor(r() * (chain === 'INPUT' ? 7 : 4));
    for (let k = 0; k < n; k++) {
      const parts = [`-A ${chain}`];
      if (chance(0.2)) parts.push(`${chance(0.3) ? '! ' : ''}-i ${pick([fwIf, 'eth9', 'lo', 'pc+', 'eth+'])}`);
      const proto = chance(0.7) ? pick(['tcp', 'udp']) : undefined;
      if (proto) parts.push(`${chance(0.15) ? '! ' : ''}-p ${proto}`);
      if (chance(0.5)) parts.push(`${chance(0.2) ? '! ' : ''}-s ${pick(NETS)}`);
      const positiveProto = proto && !parts.some((p) => p.startsWith('! -p'));
      if (positiveProto && chance(0.7)) {
        if (chance(0.4)) {
          const ps = [...new Set(Array.from({ length: 1 + Math.floor(r() * 3) }, () => pick(PORTS)))];
          parts.push(`-m multiport ${chance(0.15) ? '! ' : ''}--dports ${ps.join(',')}`);
        } else parts.push(`-m ${proto} ${chance(0.15) ? '! ' : ''}--dport ${pick(PORTS)}`);
      }
      if (chance(0.25)) parts.push(`-m state --state ${pick(['NEW', 'NEW', 'ESTABLISHED,RELATED', 'INVALID'])}`);
      const later = users.slice(ci); // chains[ci] is users[ci - 1]: only later chains
      const targets = [
        'ACCEPT',
        'ACCEPT',
        'DROP',
        'REJECT',
        ...(chain === 'INPUT' ? [] : ['RETURN']),
        ...later.map((u) => `J:${u}`),
        ...later.map((u) => `G:${u}`),
      ];
      const t = pick(targets);
      // A rate limit on an ACCEPT: the kernel lets the first packet through, we say "maybe" for all.
      if (t === 'ACCEPT' && chance(0.1)) parts.push('-m limit --limit 1/hour --limit-burst 1');
      parts.push(t.startsWith('J:') ? `-j ${t.slice(2)}` : t.startsWith('G:') ? `-g ${t.slice(2)}` : `-j ${t}`);
      lines.push(parts.join(' '));
    }
  });
  lines.push('COMMIT', '');
  return lines.join('\n');
}

/**
 * IPv4 addresses carried into IPv6 for the ip6tables runs: a.b.c.d/n becomes fd00::<the same 32 bits>/(96+n),
 * so every network keeps its size and nesting and the same probes tell them apart.
 */
export function v6Of(cidr: string): string {
  const [addr, len] = cidr.split('/');
  const n = toNum(addr);
  const hex = `${Math.floor(n / 65536).toString(16)}:${(n % 65536).toString(16)}`;
  return `fd00::${hex}/${len === undefined ? 128 : 96 + Number(len)}`;
}

/** An iptables-save text rewritten for ip6tables-restore: every -s network through v6Of. */
export function toIpv6Ruleset(text: string): string {
  return text.replace(
    /(-s|--source|--src)(\s+(?:!\s+)?)(\d+\.\d+\.\d+\.\d+(?:\/\d+)?)/g,
    (_, opt: string, sp: string, cidr: string) => `${opt}${sp}${v6Of(cidr)}`,
  );
}

export { AddressSet };
