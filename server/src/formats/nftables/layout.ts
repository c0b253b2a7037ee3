/**
 * Format Document for nftables: one indentation level per block (table, chain, set, map, stateful object),
 * one statement per line (a chain's `type …; policy …;` header stays on one line, as `nft list ruleset` prints
 * it), sets written `{ a, b, c }`, trailing spaces gone and runs of blank lines collapsed to one. Only
 * whitespace and line breaks change, never a token, so the file means the same; formatting twice changes
 * nothing (tested on the corpus, with `nft -c` where available).
 */
import type { FormatOptions, FormattedLine } from '../format';
import { lex, type Tok } from './lexer';

type Block = 'top' | 'table' | 'chain' | 'set' | 'object';

const OBJECTS = new Set(['flowtable', 'counter', 'quota', 'limit', 'ct', 'secmark', 'synproxy', 'tunnel']);
/** Chain header statements that `nft list ruleset` joins on one line. */
const HEADER = new Set(['type', 'hook', 'priority', 'policy', 'device', 'devices']);

/** Which block a `{` opens, from the block it sits in and the words of its statement; undefined: a set literal. */
function opens(inside: Block, words: string[]): Block | undefined {
  const [a, b] = words;
  if (inside === 'top') {
    if (a === 'table') return 'table';
    if (a === 'add' || a === 'create')
      return b === 'table' ? 'table' : b === 'chain' ? 'chain' : b === 'set' || b === 'map' ? 'set' : undefined;
    return undefined;
  }
  if (inside === 'table') return a === 'chain' ? 'chain' : a === 'set' || a === 'map' ? 'set' : OBJECTS.has(a) ? 'object' : undefined;
  return undefined;
}

/** Per input line, the lines that replace it (none for a dropped blank line). */
export function layoutNftables(text: string, options: FormatOptions): FormattedLine[] {
  const unit = options.insertSpaces ? ' '.repeat(options.tabSize) : '\t';
  const lines = text.split(/\r?\n/);
  const byLine = new Map<number, Tok[]>();
  for (const t of lex(text)) {
    if (t.kind === 'nl' || t.kind === 'eof') continue;
    const list = byLine.get(t.line);
    if (list) list.push(t);
    else byLine.set(t.line, [t]);
  }
  const blocks: Block[] = ['top'];
  let inline = 0;
  let words: string[] = [];
  let continued = false;
  let blank = 0;
  const out: FormattedLine[] = [];
  lines.forEach((raw, n) => {
    // Token offsets count a leading byte-order mark; trim() drops it, so it is put back in front.
    const bom = n === 0 && raw.startsWith('\uFEFF') ? '\uFEFF' : '';
    const toks = byLine.get(n) ?? [];
    const depth = () => blocks.length - 1 + inline;
    if (continued) {
      // A `\` continuation: indented one level deeper, otherwise as written.
      out.push([bom + unit.repeat(depth() + 1) + raw.trim()]);
      continued = /\\\s*$/.test(raw);
      scan(toks);
      return;
    }
    if (!raw.trim()) {
      blank++;
      out.push(blank > 1 || n === lines.length - 1 ? [] : ['']);
      return;
    }
    blank = 0;
    const last = toks[toks.length - 1];
    const tail = raw.slice(last ? last.end : 0).trim();
    continued = /\\$/.test(tail);
    if (!toks.length) {
      out.push([bom + unit.repeat(depth()) + raw.trim()]);
      return;
    }
    if (continued) {
      out.push([bom + unit.repeat(depth()) + raw.trim()]);
      scan(toks);
      return;
    }
    // Pieces of this line, each [first token index, last token index], split at block braces and statement ends.
    const pieces: { from: number; to: number; depth: number }[] = [];
    let from = 0;
    // A line that starts by closing a block or a set sits at the level it returns to.
    const closing = (t: Tok) => t.kind === 'punct' && t.text === '}';
    let pieceDepth = closing(toks[0]) ? depth() - 1 : depth();
    const cut = (to: number) => {
      pieces.push({ from, to, depth: pieceDepth });
      from = to + 1;
    };
    toks.forEach((t, i) => {
      const next = toks[i + 1];
      if (i === from && i > 0) pieceDepth = closing(t) ? depth() - 1 : depth();
      if (t.kind !== 'punct') {
        if (inline === 0) words.push(t.text);
        return;
      }
      if (t.text === '{') {
        const kind = inline === 0 ? opens(blocks[blocks.length - 1], words) : undefined;
        if (kind) {
          blocks.push(kind);
          words = [];
          if (next) cut(i);
        } else inline++;
      } else if (t.text === '}') {
        if (inline > 0) inline--;
        else {
          if (i > from) {
            cut(i - 1);
            pieceDepth = depth() - 1;
          }
          blocks.pop();
          if (blocks.length === 0) blocks.push('top');
          words = [];
          if (next && !(next.kind === 'punct' && next.text === ';')) cut(i);
        }
      } else if (t.text === ';' && inline === 0) {
        const joined = blocks[blocks.length - 1] === 'chain' && HEADER.has(words[0]) && next?.kind === 'word' && HEADER.has(next.text);
        words = [];
        if (next && !joined && !(next.kind === 'punct' && next.text === '}')) cut(i);
      }
    });
    if (from < toks.length) pieces.push({ from, to: toks.length - 1, depth: pieceDepth });
    if (inline === 0) words = [];
    const result = pieces.map((p, k) => bom.repeat(k === 0 ? 1 : 0) + unit.repeat(Math.max(0, p.depth)) + join(raw, toks, p.from, p.to));
    if (tail) result[result.length - 1] += ` ${tail}`;
    out.push(result);
  });
  return out;

  /** Tracks blocks and set braces through tokens whose line is kept as written. */
  function scan(toks: Tok[]): void {
    for (const t of toks) {
      if (t.kind !== 'punct') {
        if (inline === 0) words.push(t.text);
      } else if (t.text === '{') {
        const kind = inline === 0 ? opens(blocks[blocks.length - 1], words) : undefined;
        if (kind) {
          blocks.push(kind);
          words = [];
        } else inline++;
      } else if (t.text === '}') {
        if (inline > 0) inline--;
        else if (blocks.length > 1) blocks.pop();
        words = [];
      } else if (t.text === ';' && inline === 0) words = [];
    }
  }
}

/** Tokens from..to as written, with one space between words and sets spaced `{ a, b }`. */
function join(raw: string, toks: Tok[], from: number, to: number): string {
  let s = raw.slice(toks[from].start, toks[from].end);
  for (let i = from + 1; i <= to; i++) {
    const a = toks[i - 1];
    const b = toks[i];
    const gap = raw.slice(a.end, b.start);
    const punct = (t: Tok, c: string) => t.kind === 'punct' && t.text === c;
    let sep: string;
    if (punct(b, ',') || punct(b, ';')) sep = '';
    else if (punct(a, ',') || punct(a, '{') || punct(b, '{') || punct(b, '}')) sep = ' ';
    else sep = gap === '' ? '' : ' ';
    s += sep + raw.slice(b.start, b.end);
  }
  return s;
}
