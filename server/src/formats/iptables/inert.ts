/** Edits that cannot change an iptables-save file's model: comment and blank lines, whitespace, packet counters. */
import type { InertEdits } from '../format';
import { blankBetweenTokens, blankOrHashComment, insideToken, sameTokens } from '../inert';
import { IP6TABLES_HEADER } from './parse';

const COUNTER = /^\[\d+:\d+\]$/;

/** Rule lines (`-A …`, `[p:b] -A …`) and chain lines (`:NAME POLICY [p:b]`): the lines read token by token. */
const tokenLine = (line: string): boolean => /^[-[:]/.test(line.trim());

/**
 * The family is detected from the whole text, comments included (`familyEvidence`): a comment that names an address
 * after `-s`/`-d`, or the ip6tables-save header, may change it.
 */
const familyEvidence = (line: string): boolean => /\s-[sd]\s/.test(` ${line} `) || IP6TABLES_HEADER.test(line);

export const iptablesInert: InertEdits = {
  line: (line) => blankOrHashComment(line) && !familyEvidence(line),
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
