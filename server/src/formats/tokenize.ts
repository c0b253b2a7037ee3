/** Shell-like word splitting with source offsets, shared by the line-oriented formats. */
export interface Token {
  /** The word with quotes removed. */
  text: string;
  /** Offsets in the line (UTF-16 code units), end exclusive, quotes included. */
  start: number;
  end: number;
  quoted: boolean;
}

export interface TokenizeResult {
  tokens: Token[];
  /** Offset of an unterminated quote, if any. */
  unterminated?: number;
  /** Offset where a trailing `#` comment starts, if any. */
  commentStart?: number;
}

export function tokenizeLine(line: string): TokenizeResult {
  const tokens: Token[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (isBlankCode(c)) {
      i++;
      continue;
    }
    if (c === 35 /* # */) return { tokens, commentStart: i };
    const start = i;
    // A word without quotes is one slice of the line (the usual case; concatenating per character allocates).
    while (i < n) {
      const ch = line.charCodeAt(i);
      if (ch === 34 || ch === 39 || isBlankCode(ch)) break;
      i++;
    }
    if (i >= n || isBlankCode(line.charCodeAt(i))) {
      tokens.push({ text: line.slice(start, i), start, end: i, quoted: false });
      continue;
    }
    let text = line.slice(start, i);
    let quoted = false;
    while (i < n) {
      const ch = line[i];
      if (isBlankCode(line.charCodeAt(i))) break;
      if (ch === '"' || ch === "'") {
        quoted = true;
        const close = findClose(line, i + 1, ch);
        if (close < 0) return { tokens: [...tokens, { text: text + line.slice(i + 1), start, end: n, quoted }], unterminated: i };
        text += unescape(line.slice(i + 1, close), ch);
        i = close + 1;
        continue;
      }
      text += ch;
      i++;
    }
    tokens.push({ text, start, end: i, quoted });
  }
  return { tokens };
}

/**
 * Whitespace between words: every Unicode space (no-break space pasted from web pages, U+FEFF, form feed, vertical
 * tab …) except the newline, which ends a line or statement. Lexers use this for both skipping and word ends, so
 * a character is always either skipped or part of a word and every loop iteration advances.
 */
export function isBlankCode(c: number): boolean {
  if (c < 128) return c === 32 || (c >= 9 && c <= 13 && c !== 10);
  return (
    c === 0xa0 ||
    c === 0xfeff ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

export const isBlank = (ch: string | undefined): boolean => ch !== undefined && isBlankCode(ch.charCodeAt(0));

/** A backslash that joins the next physical line (LF or CRLF); before a lone CR it is an ordinary character. */
export const isContinuation = (text: string, i: number): boolean =>
  text[i] === '\\' && (text[i + 1] === '\n' || (text[i + 1] === '\r' && text[i + 2] === '\n'));

function findClose(line: string, from: number, quote: string): number {
  for (let k = from; k < line.length; k++) {
    if (line[k] === '\\' && quote === '"') k++;
    else if (line[k] === quote) return k;
  }
  return -1;
}

function unescape(s: string, quote: string): string {
  return quote === '"' ? s.replace(/\\(.)/g, '$1') : s;
}
