/**
 * PC012: a quick fix's placeholder left in the file. "Restrict the source" inserts the documentation network
 * 192.0.2.0/24 (RFC 5737: no real packet comes from it) for the user to overwrite, and a suppression asks for a
 * `reason`; left as they are, the rule admits nobody it should and the suppression explains nothing.
 */
import { AddressSet } from '../model/addresses';
import type { CommentSyntax } from '../model/comments';
import type { Finding } from '../model/finding';
import type { Check } from './check';
import { findSuppressions } from './suppress';

/** What "Restrict the source" inserts for the user to replace: TEST-NET-1. */
export const PLACEHOLDER_NETWORK = '192.0.2.0/24';
/** The same for rules that only take IPv6 sources: the IPv6 documentation prefix (RFC 3849). */
export const PLACEHOLDER_NETWORK_V6 = '2001:db8::/32';
/** What a suppression comment's reason reads until the user writes one. */
export const PLACEHOLDER_REASON = 'reason';

const PLACEHOLDERS = [PLACEHOLDER_NETWORK, PLACEHOLDER_NETWORK_V6].map((n) => ({ text: n, set: AddressSet.parse(n)! }));

// Only accepting rules: the fix inserts it there, while dropping TEST-NET in a bogon list is deliberate.
export const placeholderSources: Check = ({ ruleset }) => {
  const out: Finding[] = [];
  for (const t of ruleset.tables)
    for (const chain of t.chains)
      for (const rule of chain.rules) {
        if (rule.action.kind !== 'accept') continue;
        for (const c of rule.conditions) {
          if (c.kind !== 'source' || c.negated) continue;
          const p = PLACEHOLDERS.find((x) => c.set.equals(x.set));
          if (!p) continue;
          out.push({
            code: 'PC012',
            severity: 'hint',
            range: c.range,
            data: { ruleId: rule.id },
            message: `${p.text} is the placeholder a quick fix inserted (a documentation network no real host sends from): replace it with the network that should reach this rule.`,
          });
        }
      }
  return out;
};

/** Suppression comments whose reason is still the placeholder word. */
export function placeholderReasons(lines: string[], comments: CommentSyntax): Finding[] {
  const out: Finding[] = [];
  for (const s of findSuppressions(lines, comments).values()) {
    if (s.reason?.toLowerCase() !== PLACEHOLDER_REASON) continue;
    const text = lines[s.line];
    const at = text.lastIndexOf(PLACEHOLDER_REASON);
    out.push({
      code: 'PC012',
      severity: 'hint',
      range: { start: { line: s.line, character: at }, end: { line: s.line, character: at + PLACEHOLDER_REASON.length } },
      message: 'this suppression still has the placeholder reason: say why the finding is acceptable here, for the next reviewer.',
    });
  }
  return out;
}
