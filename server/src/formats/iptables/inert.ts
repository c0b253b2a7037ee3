/** Edits that cannot change an iptables-save file's model: comment and blank lines, whitespace, packet counters. */
import type { InertEdits } from '../format';
import { blankBetweenTokens, blankOrHashComment, insideToken, sameTokens } from '../inert';

const COUNTER = /^\[\d+:\d+\]$/;

/** Rule lines (`-A …`, `[p:b] -A …`) and chain lines (`:NAME POLICY [p:b]`): the lines read token by token. */
const tokenLine = (line: string): boolean => /^[-[:]/.test(line.trim());

export const iptablesInert: InertEdits = {
  line: blankOrHashComment,
  within(old, now, start, oldEnd, newEnd) {
    if (!tokenLine(old) || !tokenLine(now)) return false;
    // A counter is read only as a rule's first token or a chain line's third; elsewhere it is an argument.
    const counterAt = old.trim().startsWith(':') ? 2 : 0;
    const tokens = sameTokens(old, now, (a, b, i) => i === counterAt && COUNTER.test(a.text) && COUNTER.test(b.text));
    if (!tokens) return false;
    // A trailing `# …` is reported up to its end, and what follows it is not a token: keep those lines out.
    if (old.includes('#') || now.includes('#')) return false;
    return blankBetweenTokens(old, now, tokens, start, oldEnd, newEnd) || insideToken(tokens, counterAt, start, oldEnd, newEnd);
  },
};
