/**
 * Completion: the format proposes, in its own order (common services first); this maps to LSP and adds the
 * knowledge base's documentation for ports and services (IANA description, and the risk when exposed).
 */
import { CompletionItemKind, MarkupKind, type CompletionItem } from 'vscode-languageserver';
import type { ResolvedSettings } from '../analysis/settings';
import type { Completion } from '../formats/format';
import { commonRank, searchServices, servicesAt, type Transport } from '../knowledge/registry';
import type { Risk } from '../knowledge/risks';
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
  const services = (prefix: string) =>
    searchServices(prefix).map((e) => ({ name: e.name, port: e.port, protocol: e.protocol, description: e.description }));
  const list = fa.format.complete({ before, lines: fa.lines, line: pos.line, ruleset: fa.ruleset, services, commonRank });
  const width = String(list.length).length;
  return list.map((c, i) => {
    const doc = c.documentation ?? (c.ports?.length ? portDoc(c.ports, settings) : undefined);
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

function portDoc(ports: { port: number; protocol: string; hi?: number }[], settings: ResolvedSettings): string {
  const iana: string[] = [];
  const risks = new Set<Risk>();
  for (const p of [...ports].sort((a, b) => a.port - b.port).slice(0, 12)) {
    const hi = p.hi ?? p.port;
    const protocols = (p.protocol === 'tcp' || p.protocol === 'udp' ? [p.protocol] : ['tcp', 'udp']) as Transport[];
    if (hi - p.port < 4)
      for (let port = p.port; port <= hi; port++)
        iana.push(
          ...servicesAt(port)
            .filter((e) => protocols.includes(e.protocol))
            .map((e) => `- ${e.protocol.toUpperCase()} ${e.port}: \`${e.name}\` — ${e.description} *(IANA)*`),
        );
    else iana.push(`- ${protocols.join('/').toUpperCase()} ${p.port}–${hi}`);
    for (const t of protocols) settings.risks.risksInRange(p.port, hi, t).forEach((r) => risks.add(r));
  }
  const risk = [...risks].map((r) => `⚠️ **${r.service}** — ${r.level} risk when exposed to the internet. ${r.why}`);
  return [iana.join('\n'), ...risk].filter(Boolean).join('\n\n');
}
