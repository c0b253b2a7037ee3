/** Format Document / Format Selection: the format lays out lines; this turns them into LSP text edits. */
import type { TextEdit } from 'vscode-languageserver';
import type { Format, FormatOptions } from '../formats/format';
import type { Range } from '../model/range';

/** The whole text formatted, ending with exactly one line break. */
export function formatText(format: Format, text: string, options: FormatOptions): string | undefined {
  if (!format.layout) return undefined;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = format.layout(text, options).flat();
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.length ? lines.join(eol) + eol : '';
}

export function formattingEdits(format: Format, text: string, options: FormatOptions, range?: Range): TextEdit[] {
  if (!format.layout) return [];
  const lines = text.split(/\r?\n/);
  if (!range) {
    const formatted = formatText(format, text, options)!;
    if (formatted === text) return [];
    const end = { line: lines.length - 1, character: lines[lines.length - 1].length };
    return [{ range: { start: { line: 0, character: 0 }, end }, newText: formatted }];
  }
  // A selection: its whole lines, laid out in the context of the whole document.
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const laid = format.layout(text, options);
  const last = range.end.character === 0 && range.end.line > range.start.line ? range.end.line - 1 : range.end.line;
  const newText = laid.slice(range.start.line, last + 1).flat().join(eol);
  const old = lines.slice(range.start.line, last + 1).join(eol);
  if (newText === old) return [];
  return [{ range: { start: { line: range.start.line, character: 0 }, end: { line: last, character: lines[last].length } }, newText }];
}
