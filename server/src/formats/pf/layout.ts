/**
 * Format Document for pf.conf: anchor blocks indented, `\` continuation lines one level deeper, lists written
 * `{ a, b }` (quoted strings, comments and the spacing between words as written: pf files align columns, and
 * ALTQ files indent child queues, which is kept), trailing spaces gone and runs of blank lines collapsed. Only whitespace changes,
 * never a word, so the rules mean the same; formatting
 * twice changes nothing (tested on the corpus).
 */
import type { FormatOptions, FormattedLine } from '../format';

/**
 * The line's code with lists spaced `{ a, b }` (other spacing as written: pf files often align columns), and its
 * trailing comment (from a `#` outside quotes).
 */
function normalise(line: string): { code: string; comment: string } {
  let code = '';
  let i = 0;
  const skipSpace = () => {
    while (line[i] === ' ' || line[i] === '\t') i++;
  };
  while (i < line.length) {
    const c = line[i];
    if (c === '"') {
      const end = line.indexOf('"', i + 1);
      const j = end < 0 ? line.length : end + 1;
      code += line.slice(i, j);
      i = j;
    } else if (c === '#') {
      // Keep the spacing before the comment: comments are often aligned in a column.
      const gap = /\s*$/.exec(code)![0] || ' ';
      return { code: code.trimEnd(), comment: (code.trim() ? gap : '') + line.slice(i).trimEnd() };
    } else if (c === '{' || c === ',') {
      code = c === ',' ? code.trimEnd() + ',' : code + (code && !/\s$/.test(code) ? ' {' : '{');
      i++;
      skipSpace();
      if (i < line.length && line[i] !== '}') code += ' ';
    } else if (c === '}') {
      const before = code.trimEnd();
      code = before + (before === '' || before.endsWith('{') ? '' : ' ') + '}';
      i++;
    } else {
      code += c;
      i++;
    }
  }
  return { code: code.trimEnd(), comment: '' };
}

export function layoutPf(text: string, options: FormatOptions): FormattedLine[] {
  const unit = options.insertSpaces ? ' '.repeat(options.tabSize) : '\t';
  const lines = text.split(/\r?\n/);
  let depth = 0;
  let continued = false;
  let blank = 0;
  return lines.map((raw, n): FormattedLine => {
    const bom = n === 0 && raw.startsWith('\uFEFF') ? '\uFEFF' : '';
    const body = bom ? raw.slice(1) : raw;
    if (!body.trim()) {
      blank++;
      continued = false;
      return blank > 1 || n === lines.length - 1 ? [] : [''];
    }
    blank = 0;
    const { code, comment } = normalise(body.trimStart());
    const text = code + comment;
    const closes = /^\}/.test(code) && !continued;
    if (closes) depth = Math.max(0, depth - 1);
    // Child queues are indented by hand to show the hierarchy: their indentation is kept at the top level.
    const own = !continued && depth === 0 && /^\s*queue\b/.test(body) ? /^\s*/.exec(body)![0] : '';
    const indent = own || unit.repeat(depth + (continued ? 1 : 0));
    // An anchor block opens with `{` ending its line: `anchor "ftp-proxy/*" {`.
    if (!continued && /^anchor\b.*\{$/.test(code)) depth++;
    continued = /\\$/.test(code);
    return [bom + indent + text];
  });
}
