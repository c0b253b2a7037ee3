/**
 * Edits that cannot change an analysis: in a line-based format, inserting, deleting or changing blank and comment
 * lines, whitespace between tokens, or a packet counter leaves the model as it was except for positions. Such an
 * edit is answered by moving the previous analysis's positions (`PositionShift`), without parsing or analysing.
 * Anything else (and any doubt) returns undefined, and the caller analyses the text afresh.
 */
import type { Format, LineChange } from './formats/format';
import type { Finding } from './model/finding';
import type { Position } from './model/range';

/** Old position → new position for one inert edit; undefined for a position inside the replaced text. */
export interface PositionShift {
  map(p: Position, isEnd: boolean): Position | undefined;
  /** When lines were inserted or removed: an old line's new number (0-based), undefined for a replaced line. */
  renumber?(line: number): number | undefined;
}

/** Inline suppressions and their placeholder reasons are read from comments: an edit that touches one is not inert. */
const MENTIONS_PORTCULLIS = /portcullis/i;

/**
 * The shift that turns positions in `oldText` into positions in `newText`, when the only differences between them
 * are edits the format declares inert; undefined otherwise. Only the lines around the change are split, so a
 * keystroke in a large file costs a scan for its first and last difference, not a pass over every line.
 */
export function inertShift(format: Format, oldText: string, newText: string): PositionShift | undefined {
  const inert = format.inert;
  if (!inert) return undefined;
  if (oldText === newText) return { map: (p) => p };
  const change = changedLines(oldText, newText);
  if (!change) return undefined;
  const { first, removed: changedOld, added: changedNew, before } = change;
  const oldEnd = first + changedOld.length;
  const newEnd = first + changedNew.length;
  if ([...changedOld, ...changedNew].some((l) => MENTIONS_PORTCULLIS.test(l))) return undefined;
  // A line continued from the one before is part of that statement, whatever it holds.
  const continues = inert.continues;
  if (continues && [before, ...changedOld, ...changedNew].some((l) => continues(l))) return undefined;

  if (changedOld.length === 1 && changedNew.length === 1) {
    const within = charShift(inert.within.bind(inert), first, changedOld[0], changedNew[0]);
    if (within) return keepOrigin(within);
  }
  if (![...changedOld, ...changedNew].every((l) => inert.line(l))) return undefined;
  const delta = newEnd - oldEnd;
  const renumber = (line: number) => (line < first ? line : line >= oldEnd ? line + delta : undefined);
  return keepOrigin({
    map(p) {
      const line = renumber(p.line);
      return line === p.line ? p : line === undefined ? undefined : { line, character: p.character };
    },
    renumber: delta ? renumber : undefined,
  });
}

/** The changed lines of two texts, and the unchanged line before them (see `LineChange`). */
export interface ChangedLines extends LineChange {
  before: string;
}

/**
 * The whole lines that differ between two texts, found from their common prefix and suffix; undefined when the change
 * touches the first line of a text that starts with a byte-order mark (which `splitLines` reads as a space).
 */
export function changedLines(oldText: string, newText: string): ChangedLines | undefined {
  const prefix = commonPrefix(oldText, newText);
  const suffix = commonSuffix(oldText, newText, Math.min(oldText.length, newText.length) - prefix);
  // The changed lines: from the start of the line holding the first difference to the end of the line holding the last.
  let from = prefix === 0 ? 0 : oldText.lastIndexOf('\n', prefix - 1) + 1;
  if (from === 0 && (oldText.charCodeAt(0) === 0xfeff || newText.charCodeAt(0) === 0xfeff)) return undefined;
  const lineEnd = (text: string, at: number) => {
    const nl = text.indexOf('\n', at);
    return nl < 0 ? text.length : nl;
  };
  const unterminated = (l: string) => (l.endsWith('\r') ? l.slice(0, -1) : l);
  const removed = oldText.slice(from, lineEnd(oldText, oldText.length - suffix)).split('\n').map(unterminated);
  const added = newText.slice(from, lineEnd(newText, newText.length - suffix)).split('\n').map(unterminated);
  let first = 0;
  for (let i = oldText.indexOf('\n'); i >= 0 && i < from; i = oldText.indexOf('\n', i + 1)) first++;
  // Whole lines equal at either end of the changed span (a line deleted just above an equal one) are not changed.
  while (removed.length && added.length && removed[removed.length - 1] === added[added.length - 1]) {
    removed.pop();
    added.pop();
  }
  // The line before the changed ones, which may continue into them.
  let before = from > 0 ? unterminated(oldText.slice(oldText.lastIndexOf('\n', from - 2) + 1, from - 1)) : '';
  while (removed.length && added.length && removed[0] === added[0]) {
    before = removed.shift()!;
    added.shift();
    first++;
    from = newText.indexOf('\n', from) + 1;
  }
  return { first, removed, added, before, text: newText, from };
}

/**
 * Parsers place what the text does not spell out (pf's implicit chains) at the start of the file, where an edit
 * cannot move it: a position there that the shift would move is ambiguous, so such an edit is re-analysed.
 */
function keepOrigin(shift: PositionShift): PositionShift {
  return {
    ...shift,
    map(p, isEnd) {
      const to = shift.map(p, isEnd);
      return p.line === 0 && p.character === 0 && to && (to.line !== 0 || to.character !== 0) ? undefined : to;
    },
  };
}

/** Blocks compared as substrings (native comparisons) before characters one by one: a keystroke in 400 KB costs ~0.1 ms. */
const BLOCK = 512;

function commonPrefix(a: string, b: string): number {
  const shortest = Math.min(a.length, b.length);
  let i = 0;
  while (i + BLOCK <= shortest && a.slice(i, i + BLOCK) === b.slice(i, i + BLOCK)) i += BLOCK;
  while (i < shortest && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** The length of the common suffix, at most `limit`. */
function commonSuffix(a: string, b: string, limit: number): number {
  let n = 0;
  while (n + BLOCK <= limit && a.slice(a.length - n - BLOCK, a.length - n) === b.slice(b.length - n - BLOCK, b.length - n)) n += BLOCK;
  while (n < limit && a.charCodeAt(a.length - 1 - n) === b.charCodeAt(b.length - 1 - n)) n++;
  return n;
}

/** One line changed inside: the common prefix and suffix bound the replaced span. */
function charShift(
  within: (old: string, now: string, start: number, oldEnd: number, newEnd: number) => boolean,
  line: number,
  old: string,
  now: string,
): PositionShift | undefined {
  const shortest = Math.min(old.length, now.length);
  let start = 0;
  while (start < shortest && old[start] === now[start]) start++;
  let tail = 0;
  while (tail < shortest - start && old[old.length - 1 - tail] === now[now.length - 1 - tail]) tail++;
  const oldEnd = old.length - tail;
  const newEnd = now.length - tail;
  if (!within(old, now, start, oldEnd, newEnd)) return undefined;
  const delta = newEnd - oldEnd;
  return {
    map(p, isEnd) {
      if (p.line !== line) return p;
      const c = p.character;
      // At an insertion point a range's end stays with the text before it and a start moves with the text after.
      if (c < start || (isEnd && c === start)) return p;
      if (c >= oldEnd) return { line, character: c + delta };
      return undefined;
    },
  };
}

/** Line numbers quoted in a message ("line 12", "lines 3, 5"): an edit that renumbers lines renumbers them too. */
const QUOTED_LINES = /\b(lines? )(\d+(?:, \d+)*)/g;

/** The message with its quoted line numbers renumbered; undefined when one names a line the edit replaced. */
function renumbered(message: string, shift: PositionShift): string | undefined {
  const renumber = shift.renumber;
  if (!renumber || !message.includes('line')) return message;
  let lost = false;
  const out = message.replace(QUOTED_LINES, (_m, word: string, list: string) => {
    const numbers = list.split(', ').map((n) => renumber(Number(n) - 1));
    if (numbers.some((n) => n === undefined)) lost = true;
    return word + numbers.map((n) => (n ?? 0) + 1).join(', ');
  });
  return lost ? undefined : out;
}

/**
 * Plans renumbering the line numbers quoted in the findings' messages (and their same-file related messages) in
 * place, each object once: returns the function that applies it, or undefined when a message names a replaced line.
 */
export function planRenumbering(findings: readonly Finding[], shift: PositionShift): (() => void) | undefined {
  const updates: [{ message: string }, string][] = [];
  const seen = new Set<object>();
  for (const f of shift.renumber ? findings : []) {
    for (const o of [f, ...(f.related ?? []).filter((r) => r.path === undefined)]) {
      if (seen.has(o)) continue;
      seen.add(o);
      const message = renumbered(o.message, shift);
      if (message === undefined) return undefined;
      if (message !== o.message) updates.push([o, message]);
    }
  }
  return () => {
    for (const [o, message] of updates) o.message = message;
  };
}

/** Findings with moved ranges (new objects; the originals are left as they were), or undefined when one cannot move. */
export function shiftFindings(findings: readonly Finding[], shift: PositionShift): Finding[] | undefined {
  const out: Finding[] = [];
  const moveRange = (r: Finding['range']) => {
    const start = shift.map(r.start, false);
    const end = shift.map(r.end, true);
    return start && end ? { start, end } : undefined;
  };
  for (const f of findings) {
    const range = moveRange(f.range);
    const message = renumbered(f.message, shift);
    if (!range || message === undefined) return undefined;
    let related = f.related;
    if (related) {
      related = [];
      for (const r of f.related!) {
        if (r.path !== undefined) {
          related.push(r);
          continue;
        }
        const moved = moveRange(r.range);
        const relatedMessage = renumbered(r.message, shift);
        if (!moved || relatedMessage === undefined) return undefined;
        related.push({ ...r, range: moved, message: relatedMessage });
      }
    }
    out.push({ ...f, range, message, ...(related ? { related } : {}) });
  }
  return out;
}

/**
 * Moves every position held in `roots` (plain objects and arrays, walked deeply; class instances such as set
 * types hold none) in place, each object once however often it is shared. Returns false, changing nothing,
 * when some position cannot be moved.
 */
export function shiftInPlace(roots: unknown[], shift: PositionShift): boolean {
  const seen = new Set<object>();
  const starts = new Set<Position>();
  const ends = new Set<Position>();
  const stack: unknown[] = [...roots];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null || seen.has(v)) continue;
    seen.add(v);
    if (Array.isArray(v)) {
      for (const x of v) if (typeof x === 'object' && x !== null) stack.push(x);
      continue;
    }
    if (Object.getPrototypeOf(v) !== Object.prototype) continue;
    const o = v as Record<string, unknown>;
    if (isPosition(o.start) && isPosition(o.end)) {
      starts.add(o.start);
      ends.add(o.end);
    }
    // A related location in another file (a workspace finding) stays where it is.
    const elsewhere = typeof o.path === 'string';
    for (const k in o) {
      const x = o[k];
      if (elsewhere && k === 'range') continue;
      if (typeof x === 'object' && x !== null) stack.push(x);
    }
  }
  const moves: [Position, Position][] = [];
  for (const p of new Set([...starts, ...ends])) {
    const asStart = starts.has(p) ? shift.map(p, false) : undefined;
    const asEnd = ends.has(p) ? shift.map(p, true) : undefined;
    const to = asStart ?? asEnd;
    // A position shared by a start and an end must land in one place both ways.
    if (!to || (starts.has(p) && !asStart) || (ends.has(p) && !asEnd) || (asStart && asEnd && !samePosition(asStart, asEnd))) return false;
    moves.push([p, to]);
  }
  for (const [p, to] of moves) {
    p.line = to.line;
    p.character = to.character;
  }
  return true;
}

const samePosition = (a: Position, b: Position): boolean => a.line === b.line && a.character === b.character;

const isPosition = (v: unknown): v is Position =>
  typeof v === 'object' && v !== null && typeof (v as Position).line === 'number' && typeof (v as Position).character === 'number';
