/**
 * PC105 shadowed rules: rules that no new TCP/UDP connection can reach because earlier rules decide all of
 * their packets, in the same chain or before it on the packet's path (raw/mangle/nat chains and other base
 * chains on the hook that run first, and the chains that jump to it). PC106 redundant rules: removing the rule
 * changes nothing about what is accepted.
 */
import { CODES } from '../model/codes';
import type { Finding } from '../model/finding';
import type { Range } from '../model/range';
import type { Chain, Rule, Ruleset } from '../model/ruleset';
import { allChains, chainLabel } from '../model/ruleset';
import type { Check } from './check';
import { sameExposure } from './compare';
import { analyseExposure, compile, type Compiled, type Exposure } from './exposure';

/** Redundancy needs one re-analysis per rule; above this many rules it is skipped (editor latency). */
export const REDUNDANCY_LIMIT = 200;

const TERMINAL = new Set(['accept', 'drop', 'reject', 'return', 'jump', 'goto']);

/** Only rules written for TCP/UDP can be judged by an analysis of TCP/UDP connections. */
function transportOnly(rule: Rule): boolean {
  return rule.conditions.some(
    (c) => c.kind === 'protocol' && !c.negated && c.protocols.length > 0 && c.protocols.every((p) => p === 'tcp' || p === 'udp'),
  );
}

/** Every rule of the chain stands for a listening port. */
function listenersOnly(chain: Chain): boolean {
  for (const r of chain.rules) if (!r.listener) return false;
  return true;
}

export const shadowedRules: Check = ({ ruleset, exposure }) => {
  const findings: Finding[] = [];
  const seen = new Set<number>();
  for (const chain of allChains(ruleset)) {
    // A chain of listeners alone (a service's ports) has nothing to shadow (see below): passed over without a function.
    if (listenersOnly(chain)) continue;
    chain.rules.forEach((rule, index) => {
      // A listener is a socket, not an ordered filter rule: two of them on one port is not shadowing.
      if (rule.listener || rule.implied || !exposure.considered.has(rule.id) || exposure.reached.has(rule.id) || seen.has(rule.id)) return;
      seen.add(rule.id);
      if (!TERMINAL.has(rule.action.kind) || !transportOnly(rule)) return;
      const c = compile(rule, ruleset.family === 'ipv6' ? 'ipv6' : 'ipv4');
      if (c.never || !(c.protocols.tcp || c.protocols.udp)) return;
      const deciders = responsible(chain, index, ruleset);
      const before = distinct(decidedBefore(chain, c, { rs: ruleset, exposure, family: ruleset.family === 'ipv6' ? 'ipv6' : 'ipv4' }));
      // Packets dropped or rewritten before this chain never reach the rules above it either: those decide first.
      const upstream = before.some((d) => d.covering);
      const local = deciders.map((d) => ({ range: d.rule.range, message: d.message }));
      // A rule of its own chain that decides every packet explains it alone; otherwise earlier chains' share is related.
      const related = upstream ? [...before, ...local] : deciders.some((d) => d.covering) ? local : [...local, ...before];
      findings.push({
        code: 'PC105',
        severity: CODES.PC105.severity,
        range: rule.range,
        related: related.slice(0, 6).map(({ range, message }) => ({ range, message })),
        data: { ruleId: rule.id },
        message: upstream
          ? upstreamMessage(rule, before, deciders.map((d) => d.rule))
          : shadowMessage(
              chain,
              rule,
              deciders.map((d) => d.rule),
              before,
            ),
      });
    });
  }
  return findings;
};

const lineOf = (r: Rule) => r.range.start.line + 1;

/**
 * Says which rules decide first and how to fix it, in the file's own terms: in a first-match chain the deciders
 * come earlier in the file; in a last-match chain (pf) a later rule overrides unless a final (quick) rule stopped
 * evaluation first. Deleting is suggested only for rules that accept: a block rule is never advised away.
 */
function shadowMessage(chain: Chain, rule: Rule, deciders: Rule[], before: Upstream[] = []): string {
  const lines = deciders.map(lineOf);
  // With no rule of its own chain to name, rules before the chain that decide some of the packets are named (the
  // related information lists them in any case).
  const earlier = lines.length ? [] : before.slice(0, 3).map((d) => `line ${d.range.start.line + 1} (${d.where})`);
  const parts = [...(lines.length ? [`line ${lines.join(', ')}`] : []), ...(earlier.length ? [`before this chain: ${earlier.join(', ')}`] : [])];
  const listed = parts.length ? ` (${parts.join('; ')})` : '';
  const del = rule.action.kind === 'accept' ? 'Delete it, or ' : '';
  const say = (move: string) => (del ? del + move : capital(move));
  if (chain.order === 'union') {
    return `this rule admits nothing that other rules of the group${listed} do not already admit (a security group's rules are a union). Delete it, or narrow the broader rule.`;
  }
  if (chain.order !== 'last-match') {
    const move = lines.length ? `move it above line ${Math.min(...lines)}` : 'move it above the rule that shadows it';
    return `this rule can never match a new connection: earlier rules${listed} already decide all of its packets. ${say(move)}.`;
  }
  // Last match: it must come after every overlapping rule, and before any final one that matches first.
  const finals = deciders.filter((d) => d.final).map(lineOf);
  let move = 'move it where it decides';
  if (finals.length) move = `move it above line ${Math.min(...finals)}${rule.final ? '' : ' and let it stop evaluation there (`quick`)'}`;
  else if (lines.length) move = `move it below line ${Math.max(...lines)}`;
  const why = finals.length ? 'a rule that stops evaluation decides first' : 'the last matching rule decides';
  return `this rule never decides a new connection: other rules${listed} decide all of its packets (${why}). ${say(move)}.`;
}

const capital = (s: string) => s[0].toUpperCase() + s.slice(1);

/** A chain's terminal rules compiled once per check, with port bounds for a cheap first test. */
interface Decider {
  index: number;
  rule: Rule;
  match: Compiled['result'];
  lo: number;
  hi: number;
}

const decidersByChain = new WeakMap<Chain, Partial<Record<'ipv4' | 'ipv6', Decider[]>>>();

function decidersOf(chain: Chain, family: 'ipv4' | 'ipv6'): Decider[] {
  let byFamily = decidersByChain.get(chain);
  if (!byFamily) decidersByChain.set(chain, (byFamily = {}));
  const known = byFamily[family];
  if (known) return known;
  const out: Decider[] = (byFamily[family] = []);
  chain.rules.forEach((rule, index) => {
    if (!TERMINAL.has(rule.action.kind)) return;
    const m = compile(rule, family);
    const ranges = m.result.ports.ranges();
    if (m.never || !ranges.length) return;
    out.push({ index, rule, match: m.result, lo: ranges[0][0], hi: ranges[ranges.length - 1][1] });
  });
  return out;
}

/** Position of the last decider above rule `index` (deciders are in chain order), or -1. */
function lastBefore(list: Decider[], index: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].index < index) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Each place once (a chain jumped to from several rules meets the same earlier rules again), covering ones first. */
function distinct(list: Upstream[]): Upstream[] {
  const seen = new Set<string>();
  const keep = list.filter((d) => {
    const key = `${d.range.start.line}:${d.range.start.character}:${d.where}`;
    return !seen.has(key) && !!seen.add(key);
  });
  return [...keep.filter((d) => d.covering), ...keep.filter((d) => !d.covering)];
}

/** The shadowed rule's packets are decided before its chain: name those rules, and the file's fix. */
function upstreamMessage(rule: Rule, before: Upstream[], local: Rule[]): string {
  const named = [...before.map((d) => `line ${d.range.start.line + 1} (${d.where})`), ...local.map((r) => `line ${lineOf(r)}`)];
  const fix = rule.action.kind === 'accept' ? 'Delete it, or change' : 'Change';
  return `this rule can never match a new connection: its packets are decided before it sees them, by ${named.slice(0, 4).join(', ')}. ${fix} the rule that decides first if it should match.`;
}

/** A rule (or policy) before the shadowed rule's chain that drops, rewrites or withholds its packets. */
interface Upstream {
  range: Range;
  /** Where it is, for the message: "chain PREROUTING of table raw". */
  where: string;
  message: string;
  /** It decides every packet of the shadowed rule (exactly), not only some. */
  covering: boolean;
}

interface PathContext {
  rs: Ruleset;
  exposure: Exposure;
  family: 'ipv4' | 'ipv6';
}

const MAX_CALLER_DEPTH = 8;

/** The two rules can see one packet: a shared transport, ports, sources and no interface test that excludes the other. */
function overlaps(m: Compiled, t: Compiled): boolean {
  return (
    ((m.protocols.tcp && t.protocols.tcp) || (m.protocols.udp && t.protocols.udp)) &&
    m.result.ports.overlaps(t.result.ports) &&
    !m.result.sources.intersect(t.result.sources).isEmpty() &&
    !m.ifaces.some((a) => t.ifaces.some((b) => excludes(a, b)))
  );
}

/** `-i eth0` and `-i eth1`, or `-i lo` and `! -i lo`: no packet arrives on both. */
function excludes(a: { name: string; negated: boolean }, b: { name: string; negated: boolean }): boolean {
  const same = (x: string, y: string) => (x.endsWith('+') ? y.startsWith(x.slice(0, -1)) : x === y);
  if (a.negated && b.negated) return false;
  if (a.negated !== b.negated) return !a.negated ? same(b.name, a.name) : same(a.name, b.name);
  return !same(a.name, b.name) && !same(b.name, a.name);
}

/** Every packet the shadowed rule matches is matched by `m` too. */
function coversAll(m: Compiled, t: Compiled): boolean {
  return (
    m.result.exact &&
    (!t.protocols.tcp || m.protocols.tcp) &&
    (!t.protocols.udp || m.protocols.udp) &&
    m.result.ports.covers(t.result.ports) &&
    m.result.sources.covers(t.result.sources) &&
    m.ifaces.every((a) => t.ifaces.some((b) => a.name === b.name && a.negated === b.negated))
  );
}

const placeOf = (c: Chain) => `${chainLabel(c)}${c.label ? '' : ` of table ${c.table}`}`;

/**
 * Rules before `chain` on the packet's path that decide the shadowed rule's packets (compiled as `t`): for a base
 * chain, the drops, NOTRACKs, DNATs/REDIRECTs and drop policies of the base chains that run before it (raw,
 * mangle, nat, another base chain on the hook with a lower priority); for a chain reached by jumps, the jumps
 * that do not send these packets there, the rules before each jump, and what decides before the caller.
 */
function decidedBefore(chain: Chain, t: Compiled, ctx: PathContext, depth = 0, seen = new Set<Chain>()): Upstream[] {
  if (seen.has(chain) || depth > MAX_CALLER_DEPTH) return [];
  seen.add(chain);
  const out: Upstream[] = [];
  if (chain.hook === undefined) {
    // A jump that sends none of the packets explains the shadow alone only when no other jump sends them either.
    const jumps: Upstream[] = [];
    let sending = false;
    for (const caller of allChains(ctx.rs)) {
      if (caller.table !== chain.table) continue;
      caller.rules.forEach((r, k) => {
        if ((r.action.kind !== 'jump' && r.action.kind !== 'goto') || r.action.chain !== chain.name) return;
        if (!ctx.exposure.considered.has(r.id)) return;
        const m = compile(r, ctx.family);
        if (m.never || !overlaps(m, t)) {
          const message = `packets reach ${chainLabel(chain)} here, but this rule sends none of the shadowed rule's packets there`;
          jumps.push({ range: r.range, where: `the jump in ${placeOf(caller)}`, message, covering: false });
          return;
        }
        sending = true;
        for (const d of earlierInChain(caller, k, t, ctx.family))
          out.push({ ...d, where: placeOf(caller), message: `${d.message}, before they are sent to ${chainLabel(chain)}` });
        out.push(...decidedBefore(caller, t, ctx, depth + 1, seen));
      });
    }
    return [...jumps.map((j) => ({ ...j, covering: !sending })), ...out];
  }
  const stages = new Set<Chain>();
  for (const ce of ctx.exposure.chains) {
    const at = ce.family === ctx.family ? ce.path.indexOf(chain) : -1;
    for (const s of at > 0 ? ce.path.slice(0, at) : []) stages.add(s);
  }
  for (const s of stages) {
    const where = placeOf(s);
    let accepts = false;
    for (const r of s.rules) {
      const m = compile(r, ctx.family);
      if (m.never || !overlaps(m, t)) continue;
      const all = coversAll(m, t);
      const them = all ? 'the shadowed rule\'s packets' : 'some of the shadowed rule\'s packets';
      const kind = r.action.kind;
      if (kind === 'accept') accepts = true;
      if (kind === 'drop' || kind === 'reject')
        out.push({ range: r.range, where, covering: all, message: `${kind === 'drop' ? 'drops' : 'rejects'} ${them} before ${placeOf(chain)}` });
      else if (kind === 'notrack' && t.conntrack)
        out.push({ range: r.range, where, covering: all, message: `takes ${them} out of connection tracking before ${placeOf(chain)} (NEW becomes UNTRACKED)` });
      else if (kind === 'dnat' && (r.action.redirect || r.action.toPorts))
        out.push({ range: r.range, where, covering: all, message: `rewrites the destination of ${them} before ${placeOf(chain)}` });
    }
    if (s.policy === 'drop' && !accepts)
      out.push({ range: s.policyRange ?? s.range, where: `the policy of ${where}`, covering: true, message: `policy drop: no rule of ${where} accepts the shadowed rule's packets, so they never reach ${placeOf(chain)}` });
  }
  return out;
}

/** Terminal rules before `index` in `chain` that see the shadowed rule's packets (drops or accepts end the chain for them). */
function earlierInChain(chain: Chain, index: number, t: Compiled, family: 'ipv4' | 'ipv6'): Upstream[] {
  const out: Upstream[] = [];
  for (let k = 0; k < index; k++) {
    const r = chain.rules[k];
    if (r.action.kind !== 'accept' && r.action.kind !== 'drop' && r.action.kind !== 'reject') continue;
    const m = compile(r, family);
    if (m.never || !overlaps(m, t)) continue;
    const all = coversAll(m, t);
    const verb = r.action.kind === 'accept' ? 'accepts' : r.action.kind === 'drop' ? 'drops' : 'rejects';
    out.push({ range: r.range, where: '', covering: all, message: `${verb} ${all ? 'every packet' : 'part'} of the shadowed rule's packets` });
  }
  return out;
}

/** Rules that decide before the shadowed one and overlap it, in evaluation order, covering ones first. */
function responsible(chain: Chain, index: number, rs: Ruleset): { rule: Rule; message: string; covering: boolean }[] {
  const family = rs.family === 'ipv6' ? 'ipv6' : 'ipv4';
  const earlier = decidersOf(chain, family);
  const target = compile(chain.rules[index], family).result;
  const ranges = target.ports.ranges();
  const lo = ranges[0]?.[0] ?? Infinity;
  const hi = ranges[ranges.length - 1]?.[1] ?? -Infinity;
  const covering: { rule: Rule; message: string; covering: boolean }[] = [];
  const partial: { rule: Rule; message: string; covering: boolean }[] = [];
  // Three covering rules are all a message shows; stop looking once they are found.
  for (let k = lastBefore(earlier, index); k >= 0 && covering.length < 3; k--) {
    const d = earlier[k];
    if (d.hi < lo || hi < d.lo) continue;
    // With three partial deciders found, only a rule whose port span contains the target's can still matter.
    if (partial.length >= 3 && !(d.lo <= lo && hi <= d.hi)) continue;
    const m = d.match;
    if (!m.ports.overlaps(target.ports) || m.sources.intersect(target.sources).isEmpty()) continue;
    if (m.ports.covers(target.ports) && m.sources.covers(target.sources) && m.exact)
      covering.push({ rule: d.rule, message: 'decides every packet of the shadowed rule', covering: true });
    else if (partial.length < 3) partial.push({ rule: d.rule, message: "decides part of the shadowed rule's packets", covering: false });
  }
  return [...covering, ...partial].slice(0, 3);
}

export const redundantRules: Check = ({ ruleset, exposure }) => {
  if (exposure.considered.size > REDUNDANCY_LIMIT) return [];
  // A rule may sit in several chains (pf puts a rule without direction in both `in` and `out`): judge it once.
  const byId = new Map(
    allChains(ruleset)
      .flatMap((c) => c.rules)
      .map((r) => [r.id, r]),
  );
  const candidates = [...byId.values()].filter(
    (r) =>
      !r.listener &&
      !r.implied &&
      exposure.reached.has(r.id) &&
      (r.action.kind === 'accept' || r.action.kind === 'drop' || r.action.kind === 'reject'),
  );
  const family = ruleset.family === 'ipv6' ? 'ipv6' : 'ipv4';
  const inexact = (r: Rule) => !compile(r, family).result.exact;
  const chains = allChains(ruleset);
  // Under approximation (rate limits, marks …) "nothing changes" is a statement about the approximation,
  // not the firewall: only judge rules whose chain and callers are modelled exactly.
  const exactChain = (table: string, name: string) =>
    !chains.some(
      (c) =>
        c.table === table &&
        ((c.name === name && c.rules.some(inexact)) ||
          c.rules.some((r) => (r.action.kind === 'jump' || r.action.kind === 'goto') && r.action.chain === name && inexact(r))),
    );
  const findings: Finding[] = [];
  for (const rule of candidates) {
    if (inexact(rule) || !exactChain(rule.table, rule.chain) || !unchangedWithout(ruleset, rule, exposure)) continue;
    findings.push({
      code: 'PC106',
      severity: CODES.PC106.severity,
      range: rule.range,
      data: { ruleId: rule.id },
      message:
        rule.action.kind === 'accept'
          ? 'removing this rule would not change which new connections are accepted: other rules or the default policy treat its packets the same way. It may still count or document traffic; otherwise delete it.'
          : 'this rule blocks nothing that other rules or the default policy would accept: removing it would not change which new TCP/UDP connections are accepted. Keep it if it states intent or blocks other traffic (ICMP, established packets).',
    });
  }
  return findings;
};

/**
 * The whole exposure (every chain on the input and forward paths, policies and last-match order included) is the
 * same with the rule gone from every chain holding it, compared per interface even when the rule was the only one
 * naming an interface.
 */
function unchangedWithout(rs: Ruleset, rule: Rule, exposure: Exposure): boolean {
  const without: Ruleset = {
    ...rs,
    tables: rs.tables.map((t) => ({
      ...t,
      chains: t.chains.map((c) => (c.rules.some((r) => r.id === rule.id) ? { ...c, rules: c.rules.filter((r) => r.id !== rule.id) } : c)),
    })),
  };
  return sameExposure(exposure, analyseExposure(without));
}
