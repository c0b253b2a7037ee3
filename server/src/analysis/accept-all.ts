/** PC104: a rule that accepts every new connection, on every port, from the internet. */
import { CODES } from '../model/codes';
import type { Finding } from '../model/finding';
import { PortSet } from '../model/ports';
import type { Check } from './check';
import { compile } from './exposure';
import { capApproximate, describeGrantSources, ifaceNote, throughChain } from './reach';
import { worldOf } from './world';
import type { Chain, Rule } from '../model/ruleset';

export const acceptAll: Check = ({ exposure, settings }) => {
  const findings: Finding[] = [];
  const { byRule } = worldOf(exposure, settings.trusted);
  for (const grants of exposure.byRule.values()) {
    const world = byRule.get(grants[0].rule!.id) ?? [];
    const rule = grants[0].rule!;
    if (rule.action.kind !== 'accept') continue;
    const full = world.find(
      (g) =>
        g.protocol === 'tcp' &&
        g.ports.equals(PortSet.ALL) &&
        world.some((u) => u.protocol === 'udp' && u.ports.equals(PortSet.ALL) && u.iface === g.iface),
    );
    // "Everything after it is bypassed" holds only when the rule's own match is exact (asked last: it compiles the rule).
    if (!full || !compile(rule, grants[0].family).result.exact) continue;
    const onInterface = full.iface !== '';
    findings.push({
      code: 'PC104',
      severity: onInterface ? 'information' : capApproximate(CODES.PC104.severity, full.approximate),
      range: rule.action.range,
      data: { ruleId: rule.id },
      message: `this rule accepts every new TCP and UDP connection${ifaceNote(full)} from ${describeGrantSources(full)} through ${throughChain(full)}${full.approximate ? ` (approximate: reached through ${full.reasons.slice(0, 2).join('; ')})` : ''}: ${bypassed(full.chain, rule)}. Restrict it to the ports and sources that need it.`,
    });
  }
  return findings;
};

/** What the rule takes away from the others, in the file's own order. */
function bypassed(chain: Chain, rule: Rule): string {
  if (chain.order === 'last-match' && !rule.final)
    return 'it overrides every rule above it that does not stop evaluation, since the last matching rule decides';
  return 'everything after it is bypassed';
}
