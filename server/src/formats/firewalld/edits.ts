/** Text edits on firewalld zone XML, for quick fixes. */
import type { Range } from '../../model/range';
import type { RuleEdits } from '../format';

function textAt(lines: string[], r: Range): string {
  if (r.start.line === r.end.line) return (lines[r.start.line] ?? '').slice(r.start.character, r.end.character);
  const out = [(lines[r.start.line] ?? '').slice(r.start.character)];
  for (let n = r.start.line + 1; n < r.end.line; n++) out.push(lines[n] ?? '');
  out.push((lines[r.end.line] ?? '').slice(0, r.end.character));
  return out.join('\n');
}

export const firewalldEdits: RuleEdits = {
  addProtocol() {
    return undefined; // firewalld ports always carry protocol="…"
  },
  setVerdict(rule, lines, verdict) {
    if (rule.action.kind !== 'accept') return undefined;
    const el = textAt(lines, rule.action.range);
    if (/^<accept\b/.test(el)) return { range: rule.action.range, newText: `<${verdict}/>` };
    // A plain <service>/<port> entry: turn it into a rich rule with that verdict.
    const entry = textAt(lines, rule.range);
    if (!/^<(service|port)\b/.test(entry)) return undefined;
    return { range: rule.range, newText: `<rule>${entry}<${verdict}/></rule>` };
  },
  restrictSource(rule, lines, network) {
    const entry = textAt(lines, rule.range);
    const family = network.includes(':') ? 'ipv6' : 'ipv4';
    if (/^<(service|port)\b/.test(entry))
      return { range: rule.range, newText: `<rule family="${family}"><source address="${network}"/>${entry}<accept/></rule>` };
    if (/^<rule\b/.test(entry) && !/<source\b/.test(entry)) {
      const withFamily = /family=/.test(entry) ? entry : entry.replace(/^<rule\b/, `<rule family="${family}"`);
      return { range: rule.range, newText: withFamily.replace(/^(<rule\b[^>]*>)/, `$1<source address="${network}"/>`) };
    }
    return undefined;
  },
  setDefaultDrop(chain) {
    if (chain.policy !== 'accept' || !chain.policyRange) return undefined;
    return [{ range: chain.policyRange, newText: 'default' }];
  },
  deleteRule(rule, lines) {
    const before = (lines[rule.range.start.line] ?? '').slice(0, rule.range.start.character).trim();
    const after = (lines[rule.range.end.line] ?? '').slice(rule.range.end.character).trim();
    if (!before && !after)
      return {
        range: { start: { line: rule.range.start.line, character: 0 }, end: { line: rule.range.end.line + 1, character: 0 } },
        newText: '',
      };
    return { range: rule.range, newText: '' };
  },
};
