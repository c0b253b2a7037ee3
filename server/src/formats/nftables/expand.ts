/**
 * Verdict maps and concatenations, rewritten into ordinary rules before they are read: one rule per element,
 * each the element's key as a plain match followed by its verdict.
 *
 *   ct state vmap { established : accept, invalid : drop }  →  ct state established accept
 *                                                               ct state invalid drop
 *   ip saddr . tcp dport { 10.0.0.1 . 22 } accept          →  ip saddr 10.0.0.1 tcp dport 22 accept
 *
 * This is exact: a map lookup finds at most one element (nft refuses overlapping keys), so trying the elements
 * one after another decides every packet the way the single lookup does. Token positions are kept, so every
 * match and verdict of an expanded rule points at the text it came from. What cannot be expanded (a negated
 * concatenation, a map that changes at run time, an element of unexpected shape) is returned unchanged, and
 * the rule reader keeps treating it as before (an opaque match).
 */
import type { Tok } from './lexer';

/** The named sets and maps of a table, as far as expansion needs them. */
export interface SetLookup {
  (name: string): { elements: Tok[][]; dynamic: boolean } | undefined;
}

const SINGLE_WORD_FIELDS = new Set(['iif', 'oif', 'iifname', 'oifname']);
const VERDICT_WORDS = new Set(['accept', 'drop', 'continue', 'return']);

const isWord = (t: Tok | undefined, text?: string): boolean => !!t && t.kind === 'word' && (text === undefined || t.text === text);
const isPunct = (t: Tok | undefined, p: string): boolean => !!t && t.kind === 'punct' && t.text === p;

/** The rule bodies `body` stands for: itself, or one per element of its verdict map or concatenated set. */
export function expandRule(body: Tok[], sets: SetLookup): Tok[][] {
  const vmap = topLevel(body, (t) => isWord(t, 'vmap'));
  const dot = topLevel(body, (t) => isWord(t, '.'));
  if (vmap < 0 && dot < 0) return [body];
  const pivot = vmap >= 0 && (dot < 0 || vmap < dot) ? vmap : dot;
  const keyStart = startOfKey(body, pivot);
  if (keyStart < 0) return [body];
  let fields: Tok[][];
  let valueAt: number;
  if (vmap >= 0 && pivot === vmap) {
    fields = splitAt(body.slice(keyStart, vmap), (t) => isWord(t, '.'));
    valueAt = vmap + 1;
  } else {
    const key = readConcatKey(body, keyStart);
    if (!key) return [body];
    fields = key.fields;
    valueAt = key.end;
    if (isWord(body[valueAt], '==') || isWord(body[valueAt], 'eq')) valueAt++;
    if (isWord(body[valueAt], '!=') || isWord(body[valueAt], 'ne')) return [body]; // not a union of elements
  }
  const value = readValue(body, valueAt, sets);
  if (!value) return [body];
  const prefix = body.slice(0, keyStart);
  const suffix = body.slice(value.end);
  const out: Tok[][] = [];
  for (const element of value.elements) {
    let keyToks = element;
    let verdict: Tok[] = [];
    if (pivot === vmap) {
      const split = splitVerdict(element);
      if (!split) return [body];
      [keyToks, verdict] = split;
    }
    const parts = splitAt(keyToks, (t) => isWord(t, '.'));
    if (parts.length !== fields.length || parts.some((p) => !p.length)) return [body];
    out.push([...prefix, ...fields.flatMap((f, i) => [...f, ...parts[i]]), ...suffix, ...verdict]);
  }
  return out;
}

/** Index of the first token at brace depth 0 that satisfies `test`, or -1. */
function topLevel(body: Tok[], test: (t: Tok) => boolean): number {
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    const t = body[i];
    if (isPunct(t, '{') || isPunct(t, '(')) depth++;
    else if (isPunct(t, '}') || isPunct(t, ')')) depth--;
    else if (depth === 0 && test(t)) return i;
  }
  return -1;
}

/** Where the field ending at `end` starts: `iif`, `meta iif`, `tcp dport`, `ct state`, `ct original ip saddr`. */
function startOfField(body: Tok[], end: number): number {
  const w = body[end];
  if (!isWord(w)) return -1;
  if (SINGLE_WORD_FIELDS.has(w.text)) return isWord(body[end - 1], 'meta') ? end - 1 : end;
  let s = end - 1;
  if (!isWord(body[s])) return -1;
  if (/^(original|reply)$/.test(body[s].text) && isWord(body[s - 1], 'ct')) s--;
  else if (/^ip6?$/.test(body[s].text) && /^(original|reply)$/.test(body[s - 1]?.text ?? '') && isWord(body[s - 2], 'ct')) s -= 2;
  return s;
}

/** Where the key that ends just before `pivot` starts (fields joined by `.`), or -1. */
function startOfKey(body: Tok[], pivot: number): number {
  let end = pivot - 1;
  for (;;) {
    const s = startOfField(body, end);
    if (s < 0) return -1;
    if (!isWord(body[s - 1], '.')) return s;
    end = s - 2;
  }
}

/** Tokens in the field starting at `at` (`iif` 1, `tcp dport` 2, `ct original proto-dst` 3 …). */
function fieldLength(body: Tok[], at: number): number {
  const w = body[at];
  if (!isWord(w)) return 0;
  if (SINGLE_WORD_FIELDS.has(w.text)) return 1;
  if (w.text === 'ct' && /^(original|reply)$/.test(body[at + 1]?.text ?? '')) return /^ip6?$/.test(body[at + 2]?.text ?? '') ? 4 : 3;
  return 2;
}

/** A concatenated key `f1 . f2 …` from `at`: its fields and the index after it. */
function readConcatKey(body: Tok[], at: number): { fields: Tok[][]; end: number } | undefined {
  const fields: Tok[][] = [];
  let i = at;
  for (;;) {
    const n = fieldLength(body, i);
    if (!n || i + n > body.length) return undefined;
    fields.push(body.slice(i, i + n));
    i += n;
    if (!isWord(body[i], '.')) break;
    i++;
  }
  return fields.length > 1 ? { fields, end: i } : undefined;
}

/** The elements of `{ … }`, `@name`, or a single concatenated value, and the index after the value. */
function readValue(body: Tok[], at: number, sets: SetLookup): { elements: Tok[][]; end: number } | undefined {
  const t = body[at];
  if (!t) return undefined;
  if (isPunct(t, '{')) {
    let depth = 0;
    for (let i = at; i < body.length; i++) {
      if (isPunct(body[i], '{')) depth++;
      else if (isPunct(body[i], '}') && --depth === 0)
        return { elements: splitAt(body.slice(at + 1, i), (x) => isPunct(x, ',') || x.kind === 'nl'), end: i + 1 };
    }
    return undefined;
  }
  if (isWord(t) && t.text.startsWith('@')) {
    const set = sets(t.text.slice(1));
    if (!set || set.dynamic) return undefined;
    return { elements: set.elements, end: at + 1 };
  }
  // A single value: words joined by `.`.
  let i = at;
  while (isWord(body[i]) && !VERDICT_WORDS.has(body[i].text) && (i === at || isWord(body[i - 1], '.') || isWord(body[i], '.'))) i++;
  return i > at ? { elements: [body.slice(at, i)], end: i } : undefined;
}

/** Splits tokens at separators (depth 0), dropping empty groups. */
function splitAt(toks: Tok[], sep: (t: Tok) => boolean): Tok[][] {
  const out: Tok[][] = [];
  let cur: Tok[] = [];
  let depth = 0;
  for (const t of toks) {
    if (isPunct(t, '{') || isPunct(t, '(')) depth++;
    if (isPunct(t, '}') || isPunct(t, ')')) depth--;
    if (depth === 0 && sep(t)) {
      if (cur.length) out.push(cur);
      cur = [];
    } else cur.push(t);
  }
  if (cur.length) out.push(cur);
  return out;
}

/** `key : verdict` → [key, verdict]; the colon may stand alone or end/join words (`established:`, `lo:accept`). */
function splitVerdict(element: Tok[]): [Tok[], Tok[]] | undefined {
  for (let i = element.length - 1; i >= 0; i--) {
    const t = element[i];
    if (!isWord(t)) continue;
    if (t.text === ':') return [element.slice(0, i), element.slice(i + 1)];
    const c = t.text.lastIndexOf(':');
    if (c < 0) continue;
    const before = t.text.slice(0, c);
    const after = t.text.slice(c + 1);
    // `fd00::1 : accept` keeps its colons; only a colon before a verdict word (or at the end) separates.
    if (after === '' && before) return [[...element.slice(0, i), { ...t, text: before, end: t.start + c }], element.slice(i + 1)];
    if (VERDICT_WORDS.has(after) || /^(jump|goto)$/.test(after)) {
      const key = before ? [{ ...t, text: before, end: t.start + c }] : [];
      return [
        [...element.slice(0, i), ...key],
        [{ ...t, text: after, start: t.start + c + 1 }, ...element.slice(i + 1)],
      ];
    }
  }
  return undefined;
}
