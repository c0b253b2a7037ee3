/** Tokenizer for `nft -f` scripts: words, quoted strings, braces, `;`, `,`, parentheses and newlines, with positions. */

import { isBlankCode, isContinuation } from '../tokenize';

export type TokKind = 'word' | 'string' | 'punct' | 'nl' | 'eof';

export interface Tok {
  kind: TokKind;
  /** The text, without quotes for strings. */
  text: string;
  line: number;
  /** UTF-16 offsets in the line, end exclusive (quotes included). */
  start: number;
  end: number;
  /** For strings: set when the closing quote is missing. */
  unterminated?: boolean;
}

const KINDS: readonly TokKind[] = ['word', 'string', 'punct', 'nl', 'eof'];
const WORD = 0;
const STRING = 1;
const PUNCT = 2;
const NL = 3;
const EOF = 4;

/** ASCII codes of the one-character punctuation tokens. */
const PUNCT_CODE = new Uint8Array(128);
for (const c of '{};,()') PUNCT_CODE[c.charCodeAt(0)] = 1;

/** ASCII codes that may end a word: blanks, the newline, the punctuation above, `"`, `#` and `\\` (a continuation). */
const STOP = new Uint8Array(128);
for (let c = 0; c < 128; c++) if (isBlankCode(c) || c === 10 || '{};,()"#\\'.includes(String.fromCharCode(c))) STOP[c] = 1;

/**
 * A file's tokens as parallel number arrays (kind, line, columns, text offsets): a 500 KB ruleset has ~90,000
 * tokens, and one object (and string) each, all alive until the parse ends, made the parse mostly garbage
 * collection. A token's text is sliced from the file when it is asked for; `tok(i)` builds the object form.
 */
export class Tokens {
  count = 0;
  private kinds: Uint8Array;
  private lines: Int32Array;
  private starts: Int32Array;
  private ends: Int32Array;
  /** Offsets of the text in the file (a string's inside, without quotes). */
  private froms: Int32Array;
  private tos: Int32Array;
  /** Strings whose text differs from their slice (backslash escapes), by token index. */
  private readonly unescaped = new Map<number, string>();
  /** Indexes of strings without a closing quote, in order. */
  readonly unterminated: number[] = [];

  constructor(private readonly source: string) {
    const capacity = Math.max(16, source.length >> 2);
    this.kinds = new Uint8Array(capacity);
    this.lines = new Int32Array(capacity);
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
    this.froms = new Int32Array(capacity);
    this.tos = new Int32Array(capacity);
  }

  push(kind: number, line: number, start: number, end: number, from: number, to: number): number {
    if (this.count === this.kinds.length) this.grow();
    const i = this.count++;
    this.kinds[i] = kind;
    this.lines[i] = line;
    this.starts[i] = start;
    this.ends[i] = end;
    this.froms[i] = from;
    this.tos[i] = to;
    return i;
  }

  private grow(): void {
    const n = this.kinds.length * 2;
    const more = <T extends Uint8Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.kinds = more(this.kinds, (k) => new Uint8Array(k));
    this.lines = more(this.lines, (k) => new Int32Array(k));
    this.starts = more(this.starts, (k) => new Int32Array(k));
    this.ends = more(this.ends, (k) => new Int32Array(k));
    this.froms = more(this.froms, (k) => new Int32Array(k));
    this.tos = more(this.tos, (k) => new Int32Array(k));
  }

  setUnescaped(i: number, text: string): void {
    this.unescaped.set(i, text);
  }

  kind(i: number): TokKind {
    return KINDS[this.kinds[i]];
  }

  text(i: number): string {
    const k = this.kinds[i];
    if (k === NL) return '\n';
    if (k === EOF) return '';
    if (k === STRING) {
      const u = this.unescaped.get(i);
      if (u !== undefined) return u;
    }
    return this.source.slice(this.froms[i], this.tos[i]);
  }

  tok(i: number): Tok {
    const t: Tok = { kind: KINDS[this.kinds[i]], text: this.text(i), line: this.lines[i], start: this.starts[i], end: this.ends[i] };
    if (this.kinds[i] === STRING && this.unterminated.length && this.unterminated.includes(i)) t.unterminated = true;
    return t;
  }
}

/** The file's tokens, ending with one `eof` token. */
export function lexTokens(text: string): Tokens {
  const out = new Tokens(text);
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
    if (code === 10) {
      out.push(NL, line, col, col + 1, i, i + 1);
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
    if (code === 92 && isContinuation(text, i)) {
      // Line continuation: the newline is whitespace.
      i += text.charCodeAt(i + 1) === 13 ? 3 : 2;
      line++;
      col = 0;
      continue;
    }
    if (code === 35 /* # */) {
      const nl = text.indexOf('\n', i);
      const stop = nl < 0 ? n : nl;
      col += stop - i;
      i = stop;
      continue;
    }
    if (code === 34 /* " */) {
      const start = col;
      let j = i + 1;
      let escaped = false;
      for (; j < n; j++) {
        const c = text.charCodeAt(j);
        if (c === 34 || c === 10) break;
        if (c === 92 && j + 1 < n && text.charCodeAt(j + 1) !== 10) {
          escaped = true;
          j++;
        }
      }
      const closed = j < n && text.charCodeAt(j) === 34;
      const end = start + (j - i) + (closed ? 1 : 0);
      const k = out.push(STRING, line, start, end, i + 1, j);
      if (escaped) out.setUnescaped(k, unescape(text, i + 1, j));
      if (!closed) out.unterminated.push(k);
      col = end;
      i = j + (closed ? 1 : 0);
      continue;
    }
    if (code < 128 && PUNCT_CODE[code] === 1) {
      out.push(PUNCT, line, col, col + 1, i, i + 1);
      i++;
      col++;
      continue;
    }
    const from = i;
    // The first character is neither blank nor punctuation (handled above): a word always has one.
    i++;
    // Character codes, not one-character strings: this loop runs for every character of the file.
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c < 128 ? STOP[c] === 1 && (c !== 92 || isContinuation(text, i)) : isBlankCode(c)) break;
      i++;
    }
    out.push(WORD, line, col, col + (i - from), from, i);
    col += i - from;
  }
  out.push(EOF, line, col, col, n, n);
  return out;
}

/** A quoted string's inside with `\x` read as `x` (a backslash before a newline stays). */
function unescape(text: string, from: number, to: number): string {
  let value = '';
  for (let j = from; j < to; j++) {
    if (text.charCodeAt(j) === 92 && j + 1 < text.length && text.charCodeAt(j + 1) !== 10) {
      value += text[j + 1];
      j++;
    } else value += text[j];
  }
  return value;
}

/** Every token as an object (the layout and tests read tokens this way). */
export function lex(text: string): Tok[] {
  const t = lexTokens(text);
  const toks: Tok[] = new Array(t.count);
  for (let i = 0; i < t.count; i++) toks[i] = t.tok(i);
  return toks;
}
