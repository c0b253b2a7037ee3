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
