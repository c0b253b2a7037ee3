/** PC010: user chains that nothing jumps to. */
import { CODES } from '../model/codes';
import type { Finding } from '../model/finding';
import type { Check } from './check';

export const unusedChains: Check = ({ ruleset }) => {
  const findings: Finding[] = [];
  for (const table of ruleset.tables) {
    const used = new Set<string>();
    for (const c of table.chains) for (const r of c.rules) if (r.action.kind === 'jump' || r.action.kind === 'goto') used.add(r.action.chain);
    for (const c of table.chains) {
      // A chain that stands for a resource (a Service, a compose service) is not meant to be jumped to.
      if (c.hook || c.label || used.has(c.name)) continue;
      findings.push({
        code: 'PC010',
        severity: CODES.PC010.severity,
        range: c.range,
        message: `chain \`${c.name}\` is never jumped to, so its ${c.rules.length} rule${c.rules.length === 1 ? '' : 's'} never apply`,
      });
    }
  }
  return findings;
};
