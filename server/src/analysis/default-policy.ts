/** PC103: a base chain that accepts whatever no rule decided. */
import type { Transport } from '../knowledge/registry';
import { CODES } from '../model/codes';
import type { Finding } from '../model/finding';
import type { Check } from './check';
import { chainLabel } from '../model/ruleset';
import { capApproximate, describeSources, worldGrants } from './reach';

export const defaultPolicy: Check = ({ exposure, settings }) => {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const ce of exposure.chains) {
    const { chain } = ce;
    if (chain.policy !== 'accept' || !chain.policyRange) continue;
    const byPolicy = worldGrants(
      ce.grants.filter((g) => !g.rule),
      settings.trusted,
    );
    if (!byPolicy.length) continue;
    const key = `${chain.table}/${chain.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const risky = new Set<string>();
    for (const g of byPolicy)
      for (const [lo, hi] of g.ports.ranges())
        for (const r of settings.risks.risksInRange(lo, hi, g.protocol as Transport))
          risky.add(`${r.ports[0]}/${g.protocol} ${r.service.split(' (')[0]}`);
    const approx = byPolicy.find((g) => g.approximate);
    // Rules the model cannot decide may stop some of these: the example list says so.
    const examples =
      [...risky].slice(0, 5).join(', ') +
      (approx && risky.size ? ` (approximate: ${approx.reasons.slice(0, 2).join('; ')} may decide some of them first)` : '');
    findings.push({
      code: 'PC103',
      severity: capApproximate(CODES.PC103.severity, !!approx),
      range: chain.policyRange,
      data: { chain: chain.name, table: chain.table },
      message: `default policy ACCEPT on ${chainLabel(chain)}: new connections that no rule decides are accepted from ${describeSources(byPolicy[0].sources, byPolicy[0].family)}${risky.size ? `, including ${examples}` : ''}. Set the policy to DROP and allow what you need (keep loopback and established traffic), or end the chain with a catch-all DROP.`,
    });
  }
  return findings;
};
