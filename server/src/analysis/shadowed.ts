/**
 * PC105 shadowed rules: rules that no new TCP/UDP connection can reach because earlier rules decide all of
 * their packets. PC106 redundant rules: removing the rule changes nothing about what is accepted.
 */
import { CODES } from '../model/codes';
import type { Finding } from '../model/finding';
import type { Chain, Rule, Ruleset } from '../model/ruleset';
import { allChains } from '../model/ruleset';
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

export const shadowedRules: Check = ({ ruleset, exposure }) => {
  const findings: Finding[] = [];
  const seen = new Set<number>();
  for (const chain of allChains(ruleset)) {
    chain.rules.forEach((rule, index) => {
      // A listener is a socket, not an ordered filter rule: two of them on one port is not shadowing.
      if (rule.listener || rule.implied || !exposure.considered.has(rule.id) || exposure.reached.has(rule.id) || seen.has(rule.id)) return;
      seen.add(rule.id);
      if (!TERMINAL.has(rule.action.kind) || !transportOnly(rule)) return;
      const c = compile(rule, ruleset.family === 'ipv6' ? 'ipv6' : 'ipv4');
      if (c.never || !(c.protocols.tcp || c.protocols.udp)) return;
      const deciders = responsible(chain, index, ruleset);
      const related = deciders.map((d) => ({ range: d.rule.range, message: d.message }));
      findings.push({
        code: 'PC105',
        severity: CODES.PC105.severity,
        range: rule.range,
        related,
        data: { ruleId: rule.id },
        message: shadowMessage(
          chain,
          rule,
          deciders.map((d) => d.rule),
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
function shadowMessage(chain: Chain, rule: Rule, deciders: Rule[]): string {
  const lines = deciders.map(lineOf);
  const listed = lines.length ? ` (line ${lines.join(', ')})` : '';
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

/**
 * Rules that decide before the shadowed one and overlap it, in evaluation order, covering ones first. One pass
 * over the earlier deciders (a chain of thousands of cloud rules makes this the hot loop of the check).
 */
function responsible(chain: Chain, index: number, rs: Ruleset): { rule: Rule; message: string }[] {
  const family = rs.family === 'ipv6' ? 'ipv6' : 'ipv4';
  const earlier = decidersOf(chain, family);
  const target = compile(chain.rules[index], family).result;
  const ranges = target.ports.ranges();
  const lo = ranges[0]?.[0] ?? Infinity;
  const hi = ranges[ranges.length - 1]?.[1] ?? -Infinity;
  const covering: { rule: Rule; message: string }[] = [];
  const partial: { rule: Rule; message: string }[] = [];
  // Three covering rules are all a message shows; stop looking once they are found.
  for (let k = lastBefore(earlier, index); k >= 0 && covering.length < 3; k--) {
    const d = earlier[k];
    if (d.hi < lo || hi < d.lo) continue;
    // With three partial deciders found, only a rule whose port span contains the target's can still matter.
    if (partial.length >= 3 && !(d.lo <= lo && hi <= d.hi)) continue;
    const m = d.match;
    if (!m.ports.overlaps(target.ports) || m.sources.intersect(target.sources).isEmpty()) continue;
    if (m.ports.covers(target.ports) && m.sources.covers(target.sources) && m.exact)
      covering.push({ rule: d.rule, message: 'decides every packet of the shadowed rule' });
    else if (partial.length < 3) partial.push({ rule: d.rule, message: "decides part of the shadowed rule's packets" });
  }
  return [...covering, ...partial].slice(0, 3);
}

export const redundantRules: Check = ({ ruleset, exposure }) => {
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
  if (exposure.considered.size > REDUNDANCY_LIMIT) return [];
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
