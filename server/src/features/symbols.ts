/** Document symbols: tables → chains → rules. */
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver';
import type { Range } from '../model/range';
import type { Rule, Ruleset } from '../model/ruleset';

export function documentSymbols(rs: Ruleset): DocumentSymbol[] {
  return rs.tables.map((t) => {
    const chains = t.chains.map((c) => {
      const rules = c.rules.map((r) => ({ name: ruleLabel(r), kind: SymbolKind.Event, range: r.range, selectionRange: r.range }));
      const range = span(
        c.range,
        rules.map((r) => r.range),
      );
      return {
        name: c.name,
        detail: c.policy ? `policy ${c.policy.toUpperCase()}` : c.hook ? `hook ${c.hook}` : 'user chain',
        kind: SymbolKind.Function,
        range,
        selectionRange: c.range,
        children: rules,
      };
    });
    return {
      name: t.name,
      detail: t.family,
      kind: SymbolKind.Namespace,
      range: span(
        t.range,
        chains.map((c) => c.range),
      ),
      selectionRange: t.range,
      children: chains,
    };
  });
}

function ruleLabel(r: Rule): string {
  const a = r.action;
  const verdict =
    a.kind === 'jump' || a.kind === 'goto'
      ? `→ ${a.chain}`
      : a.kind === 'continue' || a.kind === 'other'
        ? a.target
        : a.kind === 'none'
          ? 'count'
          : a.kind.toUpperCase();
  const ports = r.conditions.flatMap((c) => (c.kind === 'dport' ? c.items.map((i) => i.text) : []));
  return `${verdict}${ports.length ? ` ${ports.join(',')}` : ''}${r.comment ? ` — ${r.comment}` : ''}`;
}

/** The smallest range covering a node and its children (children may sit before a late declaration). */
function span(own: Range, children: Range[]): Range {
  let start = own.start;
  let end = own.end;
  for (const r of children) {
    if (r.start.line < start.line || (r.start.line === start.line && r.start.character < start.character)) start = r.start;
    if (r.end.line > end.line || (r.end.line === end.line && r.end.character > end.character)) end = r.end;
  }
  return { start, end };
}
