/** Completion: the format proposes, this maps to LSP. */
import { CompletionItemKind, type CompletionItem } from 'vscode-languageserver';
import type { Completion } from '../formats/format';
import { searchServices } from '../knowledge/registry';
import type { Position } from '../model/range';
import type { FileAnalysis } from '../pipeline';

const KIND: Record<Completion['kind'], CompletionItemKind> = {
  keyword: CompletionItemKind.Keyword,
  option: CompletionItemKind.Property,
  module: CompletionItemKind.Module,
  target: CompletionItemKind.Function,
  chain: CompletionItemKind.Reference,
  port: CompletionItemKind.Value,
  service: CompletionItemKind.Value,
};

export function completions(fa: FileAnalysis, pos: Position): CompletionItem[] {
  if (!fa.format.complete) return [];
  const before = (fa.lines[pos.line] ?? '').slice(0, pos.character);
  const services = (prefix: string) => searchServices(prefix).map((e) => ({ name: e.name, port: e.port, protocol: e.protocol, description: e.description }));
  return fa.format.complete({ before, ruleset: fa.ruleset, services, lines: fa.lines, line: pos.line }).map((c) => ({ label: c.label, kind: KIND[c.kind], detail: c.detail, ...(c.insertText ? { insertText: c.insertText } : {}) }));
}
