/** Text edits on pf.conf rules, for quick fixes. */
import { range } from '../../model/range';
import type { RuleEdits } from '../format';

export const pfEdits: RuleEdits = {
  addProtocol(rule, lines, protocol) {
    const port = rule.conditions.find((c) => c.kind === 'dport' || c.kind === 'sport');
    if (!port || rule.conditions.some((c) => c.kind === 'protocol')) return undefined;
    // `proto` comes before the hosts: insert it before `from`, `to` or `all`.
    for (let n = rule.range.start.line; n <= rule.range.end.line; n++) {
      const m = /\b(from|to|all)\b/.exec(lines[n] ?? '');
      if (m) return { range: range(n, m.index, m.index), newText: `proto ${protocol} ` };
    }
    return undefined;
  },
  setVerdict(rule, lines, verdict) {
    // Only a `pass` keyword becomes a block; `set skip on lo0` is modelled as a pass but is no rule to rewrite.
    const a = rule.action;
    if (a.kind !== 'accept') return undefined;
    if (lines[a.range.start.line]?.slice(a.range.start.character, a.range.end.character) !== 'pass') return undefined;
    return { range: a.range, newText: verdict === 'drop' ? 'block drop' : 'block return' };
  },
  restrictSource(rule, lines, network) {
    const src = rule.conditions.find(
      (c) => c.kind === 'source' && lines[c.range.start.line]?.slice(c.range.start.character).startsWith('from'),
    );
    if (src) return { range: src.range, newText: `from ${network}` };
    for (let n = rule.range.start.line; n <= rule.range.end.line; n++) {
      const line = lines[n] ?? '';
      const any = /\bfrom\s+any\b/.exec(line);
      if (any) return { range: range(n, any.index, any.index + any[0].length), newText: `from ${network}` };
      const all = /\ball\b/.exec(line);
      if (all) return { range: range(n, all.index, all.index + 3), newText: `from ${network} to any` };
      const to = /\bto\b/.exec(line);
      if (to) return { range: range(n, to.index, to.index), newText: `from ${network} ` };
    }
    return undefined;
  },
  setDefaultDrop(chain, lines) {
    // pf's default is pass; a leading non-quick `block all` becomes the default, later rules still win. The
    // loopback pass is not quick either: it only restores the old default on lo0, never overrides a later block.
    const first = Math.min(
      ...chain.rules.map((r) => r.range.start.line).filter((l) => l > 0 || /^\s*(pass|block|match)/.test(lines[l] ?? '')),
      lines.length,
    );
    const hasLo = /^\s*set\s+skip\s+on\s+lo/m.test(lines.join('\n'));
    return [{ range: range(first, 0, 0), newText: `block all\n${hasLo ? '' : 'pass on lo0\n'}` }];
  },
  deleteRule(rule) {
    return {
      range: { start: { line: rule.range.start.line, character: 0 }, end: { line: rule.range.end.line + 1, character: 0 } },
      newText: '',
    };
  },
};
