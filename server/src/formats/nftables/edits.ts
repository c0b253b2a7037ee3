/** Text edits on nftables rules, for quick fixes. */
import { range } from '../../model/range';
import type { Chain, Rule } from '../../model/ruleset';
import type { RuleEdits, TextEdit } from '../format';
import { chainRulePrefix, chainTypeEnd, ruleBodyStart } from './parse';

const isV6 = (net: string) => net.includes(':');

export const nftablesEdits: RuleEdits = {
  addProtocol(rule, _lines, protocol) {
    const port = rule.conditions.find((c) => c.kind === 'dport' || c.kind === 'sport' || c.kind === 'port');
    if (!port || rule.conditions.some((c) => c.kind === 'protocol' && !c.negated && c.protocols.length)) return undefined;
    // `th dport 22` → `meta l4proto tcp th dport 22`: the transport header test then means TCP ports.
    const at = port.range.start;
    return { range: range(at.line, at.character, at.character), newText: `meta l4proto ${protocol} ` };
  },
  setVerdict(rule, _lines, verdict) {
    if (rule.action.kind !== 'accept') return undefined;
    return { range: rule.action.range, newText: verdict };
  },
  restrictSource(rule, _lines, network) {
    const keyword = isV6(network) ? 'ip6' : 'ip';
    const src = rule.conditions.find((c) => c.kind === 'source' && c.range.end.character - c.range.start.character > 3);
    if (src) return { range: src.range, newText: `${keyword} saddr ${network}` };
    const at = ruleBodyStart.get(rule) ?? rule.range.start;
    return { range: range(at.line, at.character, at.character), newText: `${keyword} saddr ${network} ` };
  },
  setDefaultDrop(chain, lines) {
    const edits: TextEdit[] = [];
    if (chain.policyRange) edits.push({ range: chain.policyRange, newText: 'drop' });
    else {
      const end = chainTypeEnd.get(chain);
      if (!end) return undefined;
      edits.push({ range: range(end.line, end.character, end.character), newText: ' policy drop;' });
    }
    const has = (re: RegExp) => chain.rules.some((r) => re.test(lines[r.range.start.line] ?? ''));
    const keep: string[] = [];
    if (!has(/\biifn?a?m?e?\s+"?lo"?\b.*\baccept\b/)) keep.push('iif lo accept');
    if (!has(/ct state[^\n]*established[^\n]*accept/)) keep.push('ct state established,related accept');
    // Last in the chain: they take only what the old accept policy took, so nothing dropped today is opened.
    if (keep.length) edits.push(...insertLast(chain, lines, keep));
    return edits;
  },
  deleteRule(rule, lines) {
    const line = lines[rule.range.start.line] ?? '';
    const before = line.slice(0, rule.range.start.character).trim();
    const after = (lines[rule.range.end.line] ?? '').slice(rule.range.end.character).trim();
    if (!before && (!after || after.startsWith('#') || after === ';')) {
      return {
        range: { start: { line: rule.range.start.line, character: 0 }, end: { line: rule.range.end.line + 1, character: 0 } },
        newText: '',
      };
    }
    return { range: rule.range, newText: '' };
  },
};

/** New rules placed after the chain's last rule, in its style (block or `add rule` commands). */
function insertLast(chain: Chain, lines: string[], rules: string[]): TextEdit[] {
  const prefix = chainRulePrefix.get(chain);
  const last: Rule | undefined = chain.rules[chain.rules.length - 1];
  const commands = (r: Rule) => /^\s*(add|insert)\s+rule\b/.test(lines[r.range.start.line] ?? '');
  if (prefix && !last) {
    const at = chain.range.end.line + 1;
    return [{ range: range(at, 0, 0), newText: rules.map((x) => `${prefix} ${x}\n`).join('') }];
  }
  if (last) {
    const at = last.range.end.line + 1;
    if (prefix && commands(last)) return [{ range: range(at, 0, 0), newText: rules.map((x) => `${prefix} ${x}\n`).join('') }];
    const indent = /^\s*/.exec(lines[last.range.start.line] ?? '')![0];
    return [{ range: range(at, 0, 0), newText: rules.map((x) => `${indent}${x}\n`).join('') }];
  }
  const end = chainTypeEnd.get(chain);
  const at = (end?.line ?? chain.range.end.line) + 1;
  const indent = /^\s*/.exec(lines[at - 1] ?? '')![0];
  return [{ range: range(at, 0, 0), newText: rules.map((x) => `${indent}${x}\n`).join('') }];
}
