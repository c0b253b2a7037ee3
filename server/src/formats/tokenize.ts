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
    if (c === 32 || c === 9 || c === 13) {
      i++;
      continue;
    }
    if (c === 35 /* # */) return { tokens, commentStart: i };
    const start = i;
    let text = '';
    let quoted = false;
    while (i < n) {
      const ch = line[i];
      if (ch === ' ' || ch === '\t' || ch === '\r') break;
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
