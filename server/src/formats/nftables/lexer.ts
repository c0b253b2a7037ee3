/** Tokenizer for `nft -f` scripts: words, quoted strings, braces, `;`, `,`, parentheses and newlines, with positions. */

import { isBlankCode, isContinuation } from '../tokenize';

export interface Tok {
  kind: 'word' | 'string' | 'punct' | 'nl' | 'eof';
  /** The text, without quotes for strings. */
  text: string;
  line: number;
  /** UTF-16 offsets in the line, end exclusive (quotes included). */
  start: number;
  end: number;
  /** For strings: set when the closing quote is missing. */
  unterminated?: boolean;
}

const PUNCT = new Set(['{', '}', ';', ',', '(', ')']);

/** ASCII codes that may end a word: blanks, the newline, the punctuation above, `"`, `#` and `\\` (a continuation). */
const STOP = new Uint8Array(128);
for (let c = 0; c < 128; c++) if (isBlankCode(c) || c === 10 || '{};,()"#\\'.includes(String.fromCharCode(c))) STOP[c] = 1;

export function lex(text: string): Tok[] {
  const toks: Tok[] = [];
  let line = 0;
  let col = 0;
  let i = 0;
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) {
    i = 1;
    col = 1;
  }
  while (i < n) {
    const code = text.charCodeAt(i);
    const ch = text[i];
    if (code === 10) {
      toks.push({ kind: 'nl', text: '\n', line, start: col, end: col + 1 });
      line++;
      col = 0;
      i++;
      continue;
    }
    if (isBlankCode(code)) {
      i++;
      col++;
      continue;
    }
    if (isContinuation(text, i)) {
      // Line continuation: the newline is whitespace.
      i += text[i + 1] === '\r' ? 3 : 2;
      line++;
      col = 0;
      continue;
    }
    if (ch === '#') {
      while (i < n && text[i] !== '\n') {
        i++;
        col++;
      }
      continue;
    }
    if (ch === '"') {
      const start = col;
      let j = i + 1;
      let value = '';
      while (j < n && text[j] !== '"' && text[j] !== '\n') {
        if (text[j] === '\\' && j + 1 < n && text[j + 1] !== '\n') {
          value += text[j + 1];
          j += 2;
          continue;
        }
        value += text[j];
        j++;
      }
      const closed = text[j] === '"';
      const end = start + (j - i) + (closed ? 1 : 0);
      toks.push({ kind: 'string', text: value, line, start, end, ...(closed ? {} : { unterminated: true }) });
      col = end;
      i = j + (closed ? 1 : 0);
      continue;
    }
    if (PUNCT.has(ch)) {
      toks.push({ kind: 'punct', text: ch, line, start: col, end: col + 1 });
      i++;
      col++;
      continue;
    }
    const start = col;
    const from = i;
    // The first character is neither blank nor punctuation (handled above): a word always has one.
    i++;
    // Character codes, not one-character strings: this loop runs for every character of the file.
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c < 128 ? STOP[c] === 1 && (c !== 92 || isContinuation(text, i)) : isBlankCode(c)) break;
      i++;
    }
    col += i - from;
    toks.push({ kind: 'word', text: text.slice(from, i), line, start, end: col });
  }
  toks.push({ kind: 'eof', text: '', line, start: col, end: col });
  return toks;
}
