/**
 * Completion: the format proposes, in its own order (common services first); this maps to LSP and adds the
 * knowledge base's documentation for ports and services (IANA description, and the risk when exposed).
 */
import { CompletionItemKind, MarkupKind, type CompletionItem } from 'vscode-languageserver';
import type { ResolvedSettings } from '../analysis/settings';
import type { Completion } from '../formats/format';
import { searchServices, servicesAt, type Transport } from '../knowledge/registry';
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

export function completions(fa: FileAnalysis, pos: Position, settings: ResolvedSettings): CompletionItem[] {
  if (!fa.format.complete) return [];
  const before = (fa.lines[pos.line] ?? '').slice(0, pos.character);
  const services = (prefix: string) => searchServices(prefix).map((e) => ({ name: e.name, port: e.port, protocol: e.protocol, description: e.description }));
  const list = fa.format.complete({ before, lines: fa.lines, line: pos.line, ruleset: fa.ruleset, services });
  const width = String(list.length).length;
  return list.map((c, i) => {
    const doc = c.documentation ?? (c.ports?.length ? c.ports.slice(0, 8).map((p) => portDoc(p, settings)).filter(Boolean).join('\n\n') : undefined);
    return {
      label: c.label,
      kind: KIND[c.kind],
      detail: c.detail,
      // The format's order is the ranking (editors sort by sortText, then label).
      sortText: String(i).padStart(width, '0'),
      ...(c.insertText ? { insertText: c.insertText } : {}),
      ...(doc ? { documentation: { kind: MarkupKind.Markdown, value: doc } } : {}),
    };
  });
}

function portDoc(p: { port: number; protocol: string; hi?: number }, settings: ResolvedSettings): string {
  const hi = p.hi ?? p.port;
  const protocols = (p.protocol === 'tcp' || p.protocol === 'udp' ? [p.protocol] : ['tcp', 'udp']) as Transport[];
  const iana = hi - p.port < 4 ? Array.from({ length: hi - p.port + 1 }, (_, i) => p.port + i).flatMap((port) => servicesAt(port).filter((e) => protocols.includes(e.protocol)).map((e) => `- ${e.protocol.toUpperCase()} ${e.port}: \`${e.name}\` — ${e.description} *(IANA)*`)) : [`- ${protocols.join('/').toUpperCase()} ${p.port}–${hi}`];
  const risks = [...new Set(protocols.flatMap((t) => settings.risks.risksInRange(p.port, hi, t)))];
  const risk = risks.map((r) => `⚠️ **${r.service}** — ${r.level} risk when exposed to the internet. ${r.why}`);
  return [iana.join('\n'), ...risk].filter(Boolean).join('\n\n');
}
