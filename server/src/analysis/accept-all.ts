/** PC104: a rule that accepts every new connection, on every port, from the internet. */
import { CODES } from '../model/codes';
import type { Finding } from '../model/finding';
import { PortSet } from '../model/ports';
import type { Check } from './check';
import { compile, type Grant } from './exposure';
import { capApproximate, describeGrantSources, ifaceNote, throughChain } from './reach';
import { worldOf } from './world';
import type { Chain, Rule } from '../model/ruleset';

export const acceptAll: Check = ({ exposure, settings }) => {
  const findings: Finding[] = [];
  const { byRule } = worldOf(exposure, settings.trusted);
  // Rules with grants that reach from the internet, in the order of exposure.byRule (which lists every rule).
  exposure.byRule.forEach((grants, id) => {
    const world = byRule.get(id);
    const rule = grants[0].rule!;
    if (!world || rule.action.kind !== 'accept') return;
    const full = everyPort(world);
    // "Everything after it is bypassed" holds only when the rule's own match is exact (asked last: it compiles the rule).
    if (!full || !compile(rule, grants[0].family).result.exact) return;
    const onInterface = full.iface !== '';
    findings.push({
      code: 'PC104',
      severity: onInterface ? 'information' : capApproximate(CODES.PC104.severity, full.approximate),
      range: rule.action.range,
      data: { ruleId: rule.id },
      message: `this rule accepts every new TCP and UDP connection${ifaceNote(full)} from ${describeGrantSources(full)} through ${throughChain(full)}${full.approximate ? ` (approximate: reached through ${full.reasons.slice(0, 2).join('; ')})` : ''}: ${bypassed(full.chain, rule)}. Restrict it to the ports and sources that need it.`,
    });
  });
  return findings;
};

/**
 * The first TCP grant of every port whose interface class also has a UDP grant of every port, if any. Loops
 * rather than a find and a some with functions made per rule: a 500-service file has over a thousand rules.
 */
function everyPort(world: Grant[]): Grant | undefined {
  for (const g of world) {
    if (g.protocol !== 'tcp' || !g.ports.equals(PortSet.ALL)) continue;
    for (const u of world) if (u.protocol === 'udp' && u.ports.equals(PortSet.ALL) && u.iface === g.iface) return g;
  }
  return undefined;
}

/** What the rule takes away from the others, in the file's own order. */
function bypassed(chain: Chain, rule: Rule): string {
  if (chain.order === 'last-match' && !rule.final)
    return 'it overrides every rule above it that does not stop evaluation, since the last matching rule decides';
  return 'everything after it is bypassed';
}
