/**
 * Seeded random edits of a line-based ruleset, as a user makes them: comment and blank lines, whitespace, counters,
 * rules and chain headers inserted, deleted or changed, and single characters typed or deleted anywhere. Each edit
 * is one LSP content change (a range of the current text and its replacement), so the same sequence drives the
 * language server over stdio and the in-process pipeline.
 */

import { rng } from './rng';

export { rng };

export interface LineEdit {
  kind: string;
  /** 0-based lines and UTF-16 characters of the text before the edit. */
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  text: string;
}


const at = (line: number, character: number) => ({ line, character });
const span = (line: number, from: number, to: number) => ({ start: at(line, from), end: at(line, to) });
const wholeLine = (lines: string[], n: number) =>
  n + 1 < lines.length ? { start: at(n, 0), end: at(n + 1, 0) } : span(n, 0, lines[n].length);

/** Kinds that cannot change the analysis, and kinds that usually do. */
export const INERT_KINDS = ['comment line', 'blank line', 'space between words', 'counter'] as const;
export const EDIT_KINDS = [
  ...INERT_KINDS,
  ...['comment out a line', 'type a character', 'delete a character', 'delete a line', 'duplicate a rule', 'chain header', 'change a port'],
] as const;
export type EditKind = (typeof EDIT_KINDS)[number];

/**
 * One random edit of `lines` (the current text split at '\n'), of a random kind from `kinds`. Falls back to typing a
 * character when a kind has nothing to act on (no counters in the file).
 */
export function randomEdit(lines: string[], random: () => number, kinds: readonly EditKind[] = EDIT_KINDS): LineEdit {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const lineNo = () => Math.floor(random() * lines.length);
  const kind = pick(kinds);
  const n = lineNo();
  const line = lines[n].replace(/\r$/, '');
  const words = [...line.matchAll(/\S+/g)];
  switch (kind) {
    case 'comment line':
      return random() < 0.5 || !lines[n].trim().startsWith('#')
        ? { kind, range: span(n, 0, 0), text: `# note ${Math.floor(random() * 1000)}\n` }
        : { kind, range: wholeLine(lines, n), text: '' };
    case 'comment out a line':
      // Comment out a line, or uncomment one: a change to the model, made of comment syntax.
      return line.startsWith('#') ? { kind, range: span(n, 0, 1), text: '' } : { kind, range: span(n, 0, 0), text: '#' };
    case 'blank line':
      return line === '' && random() < 0.5 ? { kind, range: wholeLine(lines, n), text: '' } : { kind, range: span(n, 0, 0), text: '\n' };
    case 'space between words': {
      if (words.length < 2) break;
      const w = 1 + Math.floor(random() * (words.length - 1));
      const gapStart = words[w - 1].index! + words[w - 1][0].length;
      const gapEnd = words[w].index!;
      if (gapEnd - gapStart > 1 && random() < 0.5) return { kind, range: span(n, gapStart, gapStart + 1), text: '' };
      return { kind, range: span(n, gapEnd, gapEnd), text: random() < 0.8 ? ' ' : '\t' };
    }
    case 'counter': {
      const withCounter = lines.map((l, i) => [i, /\[\d+:\d+\]/.exec(l)] as const).filter(([, m]) => m);
      if (!withCounter.length) break;
      const [c, m] = pick(withCounter);
      return { kind, range: span(c, m!.index, m!.index + m![0].length), text: `[${Math.floor(random() * 5000)}:${Math.floor(random() * 900000)}]` };
    }
    case 'delete a character':
      if (!line.length) break;
      {
        const c = Math.floor(random() * line.length);
        return { kind, range: span(n, c, c + 1), text: '' };
      }
    case 'delete a line':
      return { kind, range: wholeLine(lines, n), text: '' };
    case 'duplicate a rule': {
      const rules = lines.map((l, i) => [i, l] as const).filter(([, l]) => /^\s*(\[\d+:\d+\]\s*)?-A |^(pass|block|match)\b/.test(l));
      if (!rules.length) break;
      const [, text] = pick(rules);
      return { kind, range: span(n, 0, 0), text: `${text.replace(/\r$/, '')}\n` };
    }
    case 'chain header':
      return { kind, range: span(n, 0, 0), text: `:CHAIN-${Math.floor(random() * 50)} - [0:0]\n` };
    case 'change a port': {
      const ports = [...line.matchAll(/\b\d{2,5}\b/g)];
      if (!ports.length) break;
      const m = pick(ports);
      return { kind, range: span(n, m.index!, m.index! + m[0].length), text: String(pick([22, 23, 80, 443, 445, 3389, 5432, 8080, 1])) };
    }
    default:
      break;
  }
  const c = Math.floor(random() * (line.length + 1));
  return { kind: 'type a character', range: span(n, c, c), text: pick([' ', 'x', '#', '1', '-', ':', '"', '[']) };
}

/** Applies an edit to the lines (in place) and returns them. */
export function applyEdit(lines: string[], e: LineEdit): string[] {
  const { start, end } = e.range;
  const before = lines[start.line].slice(0, start.character);
  const after = lines[end.line].slice(end.character);
  lines.splice(start.line, end.line - start.line + 1, ...(before + e.text + after).split('\n'));
  return lines;
}
