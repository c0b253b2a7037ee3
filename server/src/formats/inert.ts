/** Shared pieces of the line-based formats' `InertEdits`: which edits inside a line cannot change what it means. */
import { isBlankCode, tokenizeLine, type Token } from './tokenize';

const isBlankText = (s: string): boolean => [...s].every((c) => isBlankCode(c.charCodeAt(0)));

/** Blank or a whole-line `#` comment (what both iptables-restore and pfctl skip). */
export const blankOrHashComment = (line: string): boolean => {
  const t = line.trim();
  return t === '' || t.startsWith('#');
};

/**
 * The tokens of both lines, when they are the same words apart from those `alike` accepts (a packet counter),
 * and neither line has an unterminated string; undefined otherwise.
 */
export function sameTokens(
  old: string,
  now: string,
  alike?: (a: Token, b: Token, i: number) => boolean,
): [Token[], Token[]] | undefined {
  const a = tokenizeLine(old);
  const b = tokenizeLine(now);
  if (a.unterminated !== undefined || b.unterminated !== undefined) return undefined;
  if (a.tokens.length !== b.tokens.length || !a.tokens.length) return undefined;
  for (let i = 0; i < a.tokens.length; i++) {
    const x = a.tokens[i];
    const y = b.tokens[i];
    if ((x.text !== y.text || x.quoted !== y.quoted) && !alike?.(x, y, i)) return undefined;
  }
  return [a.tokens, b.tokens];
}

/**
 * Whether the changed span is whitespace between two tokens (or before the first) in both lines. Whitespace after
 * the last token is excluded: a range ending at the line's end and one ending at the last token would then be
 * told apart only by the parser, so such edits are re-analysed.
 */
export function blankBetweenTokens(
  old: string,
  now: string,
  tokens: [Token[], Token[]],
  start: number,
  oldEnd: number,
  newEnd: number,
): boolean {
  const [a, b] = tokens;
  return (
    isBlankText(old.slice(start, oldEnd)) &&
    isBlankText(now.slice(start, newEnd)) &&
    oldEnd <= a[a.length - 1].start &&
    newEnd <= b[b.length - 1].start
  );
}

/** Whether the span lies strictly inside token `i` of both lines. */
export function insideToken(tokens: [Token[], Token[]], i: number, start: number, oldEnd: number, newEnd: number): boolean {
  const [a, b] = tokens;
  return start > a[i].start && oldEnd < a[i].end && start > b[i].start && newEnd < b[i].end;
}
