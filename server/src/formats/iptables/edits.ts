/** Text edits on iptables rule lines, for quick fixes. */
import { range } from '../../model/range';
import type { Rule } from '../../model/ruleset';
import type { RuleEdits } from '../format';

export const iptablesEdits: RuleEdits = {
  addProtocol(rule, lines, protocol) {
    const port = rule.conditions.find((c) => c.kind === 'dport' || c.kind === 'sport' || c.kind === 'port');
    if (!port || rule.conditions.some((c) => c.kind === 'protocol' && !c.negated && c.protocols.length)) return undefined;
    // `-p` must come before `-m tcp`/the port option; insert right after the chain name.
    const at = afterChain(rule, lines);
    return { range: range(rule.range.start.line, at, at), newText: ` -p ${protocol}` };
  },
  setVerdict(rule, _lines, verdict) {
    if (rule.action.kind !== 'accept') return undefined;
    return { range: rule.action.range, newText: verdict.toUpperCase() };
  },
  setDefaultDrop(chain, lines) {
    if (!chain.policyRange) return undefined;
    const edits = [{ range: chain.policyRange, newText: 'DROP' }];
    const has = (re: RegExp) => chain.rules.some((r) => re.test(lines[r.range.start.line] ?? ''));
    const keep: string[] = [];
    if (!has(/\s-i\s+lo\s.*-j\s+ACCEPT/)) keep.push(`-A ${chain.name} -i lo -j ACCEPT`);
    if (!has(/ESTABLISHED.*-j\s+ACCEPT/)) keep.push(`-A ${chain.name} -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT`);
    if (keep.length) {
      // Put them last in the chain: they then take only what the old ACCEPT policy took, so no rule that drops
      // loopback or reply traffic today is overridden (the fix never opens anything).
      const last = chain.rules[chain.rules.length - 1];
      const at = last ? last.range.end.line + 1 : commitLineAfter(lines, chain.range.start.line);
      edits.push({ range: range(at, 0, 0), newText: keep.map((k) => `${k}\n`).join('') });
    }
    return edits;
  },
  deleteRule(rule) {
    return {
      range: { start: { line: rule.range.start.line, character: 0 }, end: { line: rule.range.end.line + 1, character: 0 } },
      newText: '',
    };
  },
  restrictSource(rule, lines, network) {
    const src = rule.conditions.find((c) => c.kind === 'source');
    if (src) return { range: src.range, newText: `-s ${network}` };
    const at = afterChain(rule, lines);
    return { range: range(rule.range.start.line, at, at), newText: ` -s ${network}` };
  },
};

/** Column just after `-A CHAIN` (or `-I CHAIN 3`): where iptables-save puts the first match. */
function afterChain(rule: Rule, lines: string[]): number {
  const start = rule.range.start.character;
  const head = /^\S+\s+\S+(\s+\d+(?=\s))?/.exec(lines[rule.range.start.line]?.slice(start) ?? '');
  return start + (head ? head[0].length : 0);
}

function commitLineAfter(lines: string[], from: number): number {
  for (let n = from; n < lines.length; n++) if (lines[n].trim() === 'COMMIT') return n;
  return lines.length;
}
