/** PC104: a rule that accepts every new connection, on every port, from the internet. */
import { CODES } from '../model/codes';
import type { Finding } from '../model/finding';
import { PortSet } from '../model/ports';
import type { Check } from './check';
import { describeSources, ifaceNote, throughChain, worldGrants } from './reach';

export const acceptAll: Check = ({ exposure, settings }) => {
  const findings: Finding[] = [];
  for (const grants of exposure.byRule.values()) {
    const world = worldGrants(grants, settings.trusted);
    const rule = grants[0].rule!;
    if (rule.action.kind !== 'accept') continue;
    const full = world.find((g) => g.protocol === 'tcp' && g.ports.equals(PortSet.ALL) && world.some((u) => u.protocol === 'udp' && u.ports.equals(PortSet.ALL) && u.iface === g.iface));
    if (!full) continue;
    const onInterface = full.iface !== '';
    findings.push({
      code: 'PC104', severity: onInterface ? 'information' : CODES.PC104.severity, range: rule.action.range, data: { ruleId: rule.id },
      message: `this rule accepts every new TCP and UDP connection${ifaceNote(full)} from ${describeSources(full.sources, full.family)} through ${throughChain(full)}: everything after it is bypassed. Restrict it to the ports and sources that need it.`,
    });
  }
  return findings;
};
