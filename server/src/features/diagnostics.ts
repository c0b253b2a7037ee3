import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import { docUrl } from '../model/codes';
import type { Finding, Severity } from '../model/finding';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toDiagnostic(f: Finding, uri: string): Diagnostic {
  return {
    range: f.range,
    severity: SEVERITY[f.severity],
    code: f.code,
    codeDescription: { href: docUrl(f.code) },
    source: 'portcullis',
    message: f.message,
    ...(f.related?.length
      ? {
          relatedInformation: f.related.map((r) => ({
            location: { uri: r.path ? pathToFileURL(r.path).href : uri, range: r.range },
            message: r.message,
          })),
        }
      : {}),
    ...(f.data ? { data: f.data } : {}),
  };
}

/** Groups of identical syntax problems larger than this become one diagnostic with a count. */
export const COLLAPSE_AT = 4;
const SHOWN_LOCATIONS = 20;

/**
 * The order and shape diagnostics are published in. Editors cap the list (VS Code shows 1,000 per file), so
 * the analysis findings (PC1xx exposure, PC2xx probe) come first, then syntax and structure (PC0xx); a syntax
 * problem repeated verbatim many times (a placeholder MAC on 1,653 lines) is shown once, at its first line, with
 * the count and the first other lines as related locations.
 */
export function forPublishing(findings: Finding[]): Finding[] {
  const analysis = findings.filter((f) => !isSyntax(f));
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    if (!isSyntax(f)) continue;
    const key = `${f.code}\u0000${f.severity}\u0000${f.message}`;
    const g = groups.get(key);
    if (g) g.push(f);
    else groups.set(key, [f]);
  }
  const syntax: Finding[] = [];
  for (const g of groups.values()) {
    if (g.length < COLLAPSE_AT) {
      syntax.push(...g);
      continue;
    }
    const others = g.slice(1);
    const lines = others
      .slice(0, 5)
      .map((f) => f.range.start.line + 1)
      .join(', ');
    syntax.push({
      ...g[0],
      message: `${g[0].message} (${g.length} times in this file; also on line ${lines}${others.length > 5 ? ', …' : ''})`,
      related: [...(g[0].related ?? []), ...others.slice(0, SHOWN_LOCATIONS).map((f) => ({ range: f.range, message: 'the same problem' }))],
      data: { ...(g[0].data ?? {}), count: g.length },
    });
  }
  const byPosition = (a: Finding, b: Finding) =>
    a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character;
  return [...analysis.sort(byPosition), ...syntax.sort(byPosition)];
}

/** Syntax and structure problems found while reading the file (PC0xx), as opposed to analysis findings. */
function isSyntax(f: Finding): boolean {
  return /^PC0\d\d$/.test(f.code);
}
