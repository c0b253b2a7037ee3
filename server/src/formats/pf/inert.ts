/** Edits that cannot change a pf.conf's model: comment and blank lines, whitespace between words. */
import type { InertEdits } from '../format';
import { blankBetweenTokens, blankOrHashComment, sameTokens } from '../inert';

export const pfInert: InertEdits = {
  line: blankOrHashComment,
  within(old, now, start, oldEnd, newEnd) {
    // pf's lexer reads quotes and backslashes its own way (no escapes; a trailing backslash joins lines): such lines
    // are re-analysed rather than compared with the shared tokenizer.
    if (/["'\\]/.test(old) || /["'\\]/.test(now)) return false;
    const tokens = sameTokens(old, now);
    return !!tokens && blankBetweenTokens(old, now, tokens, start, oldEnd, newEnd);
  },
  continues: (line) => line.endsWith('\\'),
};
