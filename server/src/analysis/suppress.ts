/**
 * Inline suppression: `# portcullis-ignore PC101, PC104: reason` silences those codes on its own line (as a
 * trailing comment) or on the next line that is not blank or a comment. Works in any format whose comments
 * can hold the text (`#` in rules files, `<!-- -->` in XML).
 */
import type { Finding } from '../model/finding';

const MARK = /portcullis-ignore\s+((?:PC\d{3}\s*,?\s*)+)(?::\s*(.*))?/i;

export interface Suppression {
  line: number;
  codes: string[];
  reason?: string;
}

export function findSuppressions(lines: string[]): Map<number, Suppression> {
  const byLine = new Map<number, Suppression>();
  lines.forEach((text, n) => {
    const m = MARK.exec(text);
    if (!m) return;
    const codes = m[1].split(/[\s,]+/).filter(Boolean).map((c) => c.toUpperCase());
    const own = text.slice(0, m.index).replace(/(#|<!--|\/\/)\s*$/, '').trim();
    let target = n;
    if (!own) {
      // A comment on its own line applies to the next statement.
      target = n + 1;
      while (target < lines.length && (/^\s*$/.test(lines[target]) || /^\s*(#|<!--|\/\/)/.test(lines[target]))) target++;
    }
    const s = byLine.get(target);
    if (s) s.codes.push(...codes);
    else byLine.set(target, { line: n, codes, reason: m[2]?.trim() });
  });
  return byLine;
}

export function applySuppressions(findings: Finding[], lines: string[]): Finding[] {
  const marks = findSuppressions(lines);
  if (!marks.size) return findings;
  return findings.filter((f) => !marks.get(f.range.start.line)?.codes.includes(f.code));
}
