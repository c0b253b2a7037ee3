/** Runs every check over a parsed ruleset: the one entry point the server and the CLI share. */
import type { Finding } from '../model/finding';
import type { Ruleset } from '../model/ruleset';
import type { CommentSyntax } from '../model/comments';
import { splitLines } from '../model/text';
import { acceptAll } from './accept-all';
import type { Check, CheckContext } from './check';
import { defaultPolicy } from './default-policy';
import { listenerChecks } from './listeners';
import { analyseExposure, type Exposure, type ExposureCache } from './exposure';
import { riskyPorts } from './risky-ports';
import { parity } from './parity';
import { placeholderReasons, placeholderSources } from './placeholders';
import { redundantRules, shadowedRules } from './shadowed';
import type { ResolvedSettings } from './settings';
import { applySuppressions } from './suppress';
import { unusedChains } from './unused-chains';
import { forgetWorld } from './world';

export const CHECKS: Check[] = [
  riskyPorts,
  defaultPolicy,
  acceptAll,
  unusedChains,
  shadowedRules,
  redundantRules,
  parity,
  placeholderSources,
  listenerChecks,
];

/** What every suppression comment contains (suppress.ts MARK). */
const MARKED = /portcullis-ignore/i;

export interface Analysis {
  ruleset: Ruleset;
  exposure: Exposure;
  findings: Finding[];
}

/**
 * `comments` is the file's comment syntax, in which inline suppressions are written. `cache` (one per document)
 * lets the exposure walk reuse what the previous analysis of the same document found for unchanged chains.
 */
export function analyse(
  ruleset: Ruleset,
  text: string,
  settings: ResolvedSettings,
  comments: CommentSyntax,
  counterpart?: CheckContext['counterpart'],
  cache?: ExposureCache,
): Analysis {
  const exposure = analyseExposure(ruleset, cache);
  return { ruleset, exposure, findings: checkFindings({ ruleset, exposure, settings, counterpart }, text, comments) };
}

/** The checks' findings for an analysed ruleset, suppressions and severity settings applied, in position order. */
export function checkFindings(ctx: CheckContext, text: string, comments: CommentSyntax): Finding[] {
  const { ruleset, settings } = ctx;
  // Without the word no line holds a suppression: the lines are not split and searched (large files have thousands).
  const lines = MARKED.test(text) ? splitLines(text) : undefined;
  // One list, appended to: a flatMap and spreads made three lists of every finding before this one.
  const raw: Finding[] = ruleset.problems.slice();
  for (const check of CHECKS) for (const f of check(ctx)) raw.push(f);
  forgetWorld(ctx.exposure);
  if (lines) for (const f of placeholderReasons(lines, comments)) raw.push(f);
  const findings: Finding[] = [];
  for (const f of lines ? applySuppressions(raw, lines, comments) : raw) {
    const sev = settings.severity[f.code];
    if (sev === 'off') continue;
    findings.push(sev ? { ...f, severity: sev } : f);
  }
  findings.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  return findings;
}
