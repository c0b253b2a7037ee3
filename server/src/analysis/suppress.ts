/**
 * Inline suppression: `portcullis-ignore PC101, PC104: reason` in a comment silences those codes on its own
 * line (as a trailing comment) or on the next line that is not blank or a comment. The comment is written in
 * the file's own syntax (`# …` in rules files, `<!-- … -->` in XML), which the format supplies.
 */
import { commentStartBefore, isCommentLine, type CommentSyntax } from '../model/comments';
import type { Finding } from '../model/finding';

const MARK = /portcullis-ignore\s+((?:PC\d{3}\s*,?\s*)+)(?::\s*(.*))?/i;

export interface Suppression {
  line: number;
  codes: string[];
  reason?: string;
}

export function findSuppressions(lines: string[], syntax: CommentSyntax): Map<number, Suppression> {
  const byLine = new Map<number, Suppression>();
  lines.forEach((text, n) => {
    const m = MARK.exec(text);
    if (!m) return;
    const start = commentStartBefore(syntax, text, m.index);
    if (start < 0) return; // the words outside a comment are not a suppression
    const codes = m[1].split(/[\s,]+/).filter(Boolean).map((c) => c.toUpperCase());
    let reason = m[2]?.trim();
    if (reason && syntax.close) reason = reason.split(syntax.close)[0].trim();
    let target = n;
    if (!text.slice(0, start).trim()) {
      // A comment on its own line applies to the next statement.
      target = n + 1;
      while (target < lines.length && (/^\s*$/.test(lines[target]) || isCommentLine(syntax, lines[target]))) target++;
    }
    const s = byLine.get(target);
    if (s) s.codes.push(...codes);
    else byLine.set(target, { line: n, codes, reason });
  });
  return byLine;
}

export function applySuppressions(findings: Finding[], lines: string[], syntax: CommentSyntax): Finding[] {
  const marks = findSuppressions(lines, syntax);
  if (!marks.size) return findings;
  return findings.filter((f) => !marks.get(f.range.start.line)?.codes.includes(f.code));
}
