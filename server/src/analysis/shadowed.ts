/**
 * PC105 shadowed rules: rules that no new TCP/UDP connection can reach because earlier rules decide all of
 * their packets. PC106 redundant rules: removing the rule changes nothing about what is accepted.
 */
import { CODES } from '../model/codes';
import type { Finding, RelatedInfo } from '../model/finding';
import type { Chain, Rule, Ruleset } from '../model/ruleset';
import { allChains } from '../model/ruleset';
import type { Check } from './check';
import { acceptedMaps, analyseExposure, compile, type Exposure } from './exposure';

/** Redundancy needs one re-analysis per rule; above this many rules it is skipped (editor latency). */
export const REDUNDANCY_LIMIT = 200;

const TERMINAL = new Set(['accept', 'drop', 'reject', 'return', 'jump', 'goto']);

/** Only rules written for TCP/UDP can be judged by an analysis of TCP/UDP connections. */
function transportOnly(rule: Rule): boolean {
  return rule.conditions.some((c) => c.kind === 'protocol' && !c.negated && c.protocols.length > 0 && c.protocols.every((p) => p === 'tcp' || p === 'udp'));
}

export const shadowedRules: Check = ({ ruleset, exposure }) => {
  const findings: Finding[] = [];
  for (const chain of allChains(ruleset)) {
    chain.rules.forEach((rule, index) => {
      if (!exposure.considered.has(rule.id) || exposure.reached.has(rule.id)) return;
      if (!TERMINAL.has(rule.action.kind) || !transportOnly(rule)) return;
      const c = compile(rule, ruleset.family === 'ipv6' ? 'ipv6' : 'ipv4');
      if (c.never || !(c.protocols.tcp || c.protocols.udp)) return;
      const related = responsible(chain, index, ruleset);
      findings.push({
        code: 'PC105', severity: CODES.PC105.severity, range: rule.range, related, data: { ruleId: rule.id },
        message: `this rule can never match a new connection: earlier rules${related.length ? ` (line ${related.map((r) => r.range.start.line + 1).join(', ')})` : ''} already decide all of its packets. Delete it, or move it above the rule that shadows it.`,
      });
    });
  }
  return findings;
};

/** Earlier rules in the same chain that overlap the shadowed one, nearest first covering ones first. */
function responsible(chain: Chain, index: number, rs: Ruleset): RelatedInfo[] {
  const family = rs.family === 'ipv6' ? 'ipv6' : 'ipv4';
  const target = compile(chain.rules[index], family).result;
  const covering: RelatedInfo[] = [];
  const partial: RelatedInfo[] = [];
  // Three covering rules are all a message shows; stop looking once they are found.
  for (let k = index - 1; k >= 0 && covering.length < 3; k--) {
    const r = chain.rules[k];
    if (!TERMINAL.has(r.action.kind)) continue;
    const m = compile(r, family);
    if (m.never) continue;
    const overlaps = m.result.ports.overlaps(target.ports) && !m.result.sources.intersect(target.sources).isEmpty();
    if (!overlaps) continue;
    if (m.result.ports.covers(target.ports) && m.result.sources.covers(target.sources) && m.result.exact) covering.push({ range: r.range, message: 'decides every packet of the shadowed rule' });
    else partial.push({ range: r.range, message: "decides part of the shadowed rule's packets" });
  }
  return [...covering, ...partial].slice(0, 3);
}

export const redundantRules: Check = ({ ruleset, exposure }) => {
  const candidates = allChains(ruleset).flatMap((c) => c.rules).filter((r) => exposure.reached.has(r.id) && (r.action.kind === 'accept' || r.action.kind === 'drop' || r.action.kind === 'reject'));
  if (exposure.considered.size > REDUNDANCY_LIMIT) return [];
  const baseline = exposure.chains.map(acceptedMaps);
  const family = ruleset.family === 'ipv6' ? 'ipv6' : 'ipv4';
  const inexact = (r: Rule) => !compile(r, family).result.exact;
  const chains = allChains(ruleset);
  // Under approximation (rate limits, marks …) "nothing changes" is a statement about the approximation,
  // not the firewall: only judge rules whose chain and callers are modelled exactly.
  const exactChain = (table: string, name: string) =>
    !chains.some((c) => c.table === table && ((c.name === name && c.rules.some(inexact)) || c.rules.some((r) => (r.action.kind === 'jump' || r.action.kind === 'goto') && r.action.chain === name && inexact(r))));
  const findings: Finding[] = [];
  for (const rule of candidates) {
    if (inexact(rule) || !exactChain(rule.table, rule.chain) || !unchangedWithout(ruleset, rule, baseline)) continue;
    findings.push({
      code: 'PC106', severity: CODES.PC106.severity, range: rule.range, data: { ruleId: rule.id },
      message: `removing this rule would not change which new connections are accepted: later rules or the chain policy treat its packets the same way. It may still count or document traffic; otherwise delete it.`,
    });
  }
  return findings;
};

function unchangedWithout(rs: Ruleset, rule: Rule, baseline: ReturnType<typeof acceptedMaps>[]): boolean {
  const without: Ruleset = { ...rs, tables: rs.tables.map((t) => ({ ...t, chains: t.chains.map((c) => (c.name === rule.chain && c.table === rule.table ? { ...c, rules: c.rules.filter((r) => r !== rule) } : c)) })) };
  const ex: Exposure = analyseExposure(without);
  if (ex.chains.length !== baseline.length) return false;
  return ex.chains.every((ce, i) => {
    const now = acceptedMaps(ce);
    const before = baseline[i];
    if (now.size !== before.size) return false;
    for (const [k, m] of before) if (!now.get(k)?.equals(m)) return false;
    return true;
  });
}
