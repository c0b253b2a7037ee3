/** PC101 / PC102: risky ports that a rule opens to the internet. */
import type { Transport } from '../knowledge/registry';
import { CODES } from '../model/codes';
import type { Finding, Severity } from '../model/finding';
import type { PortItem, Rule } from '../model/ruleset';
import type { Risk } from '../knowledge/risks';
import type { Check } from './check';
import type { Grant } from './exposure';
import { publishedDatastore } from './listeners';
import { capApproximate, describeGrantSources, throughChain } from './reach';
import { worldOf } from './world';

const LEVEL_SEVERITY: Record<Risk['level'], Severity> = { high: 'error', medium: 'warning', low: 'information' };

export const riskyPorts: Check = ({ exposure, settings }) => {
  const findings: Finding[] = [];
  // Read with forEach and indices: for-of made an iterator per rule, grant and port range (thousands of each).
  worldOf(exposure, settings.trusted).byRule.forEach((world) => {
    const rule = world[0].rule!;
    // A host port picked at run time says nothing about the service behind it; a published database is PC120.
    if (rule.listener?.anyHostPort || publishedDatastore(rule, world, settings)) return;
    // Group the risks by the token that names their port, so each token gets one diagnostic. Most rules open no
    // risky port: the tokens and groups are made for the first risk found.
    let items: PortItem[] | undefined;
    let byItem: Map<PortItem | undefined, Map<Risk, Grant>> | undefined;
    for (let k = 0; k < world.length; k++) {
      const g = world[k];
      const ranges = g.ports.ranges();
      for (let r = 0; r < ranges.length; r++) {
        const risks = settings.risks.risksInRange(ranges[r][0], ranges[r][1], g.protocol as Transport);
        if (!risks.length) continue;
        for (const risk of risks) {
          items ??= rule.conditions.flatMap((c) => ((c.kind === 'dport' || c.kind === 'port') && !c.negated ? c.items : []));
          byItem ??= new Map();
          const item = items.find((i) => i.lo <= risk.ports[1] && i.hi >= risk.ports[0]);
          const m = byItem.get(item) ?? new Map<Risk, Grant>();
          if (!m.has(risk)) m.set(risk, g);
          byItem.set(item, m);
        }
      }
    }
    if (!byItem) return;
    const families = new Set(world.map((g) => g.family));
    for (const [item, risks] of byItem) findings.push(finding(rule, item, risks, families.size > 1));
  });
  return findings;
};

function finding(rule: Rule, item: PortItem | undefined, risks: Map<Risk, Grant>, bothFamilies: boolean): Finding {
  const list = [...risks.entries()];
  const [risk, grant] = list[0];
  const worst = list.reduce(
    (a, [r]) => (r.level === 'high' ? 'high' : a === 'high' ? a : r.level === 'medium' ? 'medium' : a),
    'low' as Risk['level'],
  );
  let who = describeGrantSources(grant);
  // One listener on every address of both families (a published port): say so once.
  if (bothFamilies && who === 'any IPv4 address') who = 'any IPv4 or IPv6 address';
  const where = `${grant.iface ? ` on ${grant.iface}` : ''} through ${throughChain(grant)}`;
  const approximate = list.some(([, g]) => g.approximate);
  const approx = approximate ? ` (approximate: depends on ${[...new Set(list.flatMap(([, g]) => g.reasons))].slice(0, 2).join('; ')})` : '';
  const single = item && item.lo === item.hi && list.length === 1;
  const range = item?.range ?? ('range' in rule.action ? rule.action.range : rule.range);
  const data = { ruleId: rule.id, ports: list.map(([r]) => r.ports[0]) };
  if (single) {
    const proto = grant.protocol.toUpperCase();
    return {
      code: 'PC101',
      severity: capApproximate(LEVEL_SEVERITY[risk.level] ?? CODES.PC101.severity, approximate),
      range,
      data,
      message: `${risk.service}, ${proto} ${item.lo}, is reachable from ${who}${where}${approx}. ${risk.why} ${risk.advice}`,
    };
  }
  // Each listed port says whether its own verdict is approximate, so a mixed list does not read as certain.
  const names = list.map(
    ([r, g]) =>
      `${r.ports[0] === r.ports[1] ? r.ports[0] : `${r.ports[0]}-${r.ports[1]}`}/${g.protocol} ${r.service}${approximate && g.approximate ? ' (approximate)' : ''}`,
  );
  const shown = names.slice(0, 6).join(', ') + (names.length > 6 ? ` and ${names.length - 6} more` : '');
  const what = item ? `port range ${item.text}` : 'this rule, which matches every port,';
  return {
    code: 'PC102',
    severity: capApproximate(LEVEL_SEVERITY[worst], approximate),
    range,
    data,
    message: `${what} ${approximate ? 'may open' : 'opens'} risky ports to ${who}${where}${approx}: ${shown}. Narrow the range or the sources.`,
  };
}
