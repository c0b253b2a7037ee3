/** text → model → analysis for one file; shared by the language server and the CLI. */
import { checkFindings, type Analysis } from './analysis';
import { analyseExposure, createExposureCache, type Exposure, type ExposureCache } from './analysis/exposure';
import type { ResolvedSettings } from './analysis/settings';
import type { Format } from './formats/format';
import * as nodePath from 'node:path';
import * as fs from 'node:fs';
import { formatById, formatForPath } from './formats/registry';
import { portOfService, servicesAt, type Transport } from './knowledge/registry';
import { changedLines, inertShift, planRenumbering, shiftInPlace } from './incremental';
import type { Ruleset } from './model/ruleset';

export interface FileAnalysis extends Analysis {
  format: Format;
  lines: string[];
}

export function resolveFormat(path: string, languageId?: string, head?: () => string | undefined): Format | undefined {
  return (languageId && formatById(languageId)) || formatForPath(path, head);
}

const parseContext = (path: string, read?: SiblingReader) => ({
  path,
  resolveService: (name: string, protocol?: string) => portOfService(name, protocol as Transport | undefined),
  namesAt: (port: number, protocol: string) =>
    servicesAt(port)
      .filter((e) => e.protocol === protocol)
      .map((e) => e.name),
  readBeside: (name: string) => (read && onDisk(path) ? read(nodePath.join(nodePath.dirname(nodePath.resolve(path)), name)) : undefined),
  listBeside: () => (read && onDisk(path) ? listFolder(nodePath.dirname(nodePath.resolve(path)), nodePath.basename(path)) : []),
});

/** A file path (absolute, or relative to the working directory as the CLI gets it), not an untitled document's URI. */
function onDisk(path: string): boolean {
  return nodePath.isAbsolute(path) || !/^[a-z][\w+.-]+:/i.test(path);
}

/** The folder's other entry names, sorted, at most 256 (an unreadable folder lists nothing). */
function listFolder(dir: string, self: string): string[] {
  try {
    return fs
      .readdirSync(dir)
      .filter((n) => n !== self)
      .sort()
      .slice(0, 256);
  } catch {
    return [];
  }
}

/**
 * Reads the other family's file for the same host, for the IPv4/IPv6 parity check: the function gets a
 * sibling path and returns its text (from an open editor buffer or the disk), or undefined.
 */
export type SiblingReader = (path: string) => string | undefined;

/**
 * What one open document keeps between analyses so that the next edit can reuse the last one. `analyseText` reads
 * and replaces `previous`, and hands `exposure` to every full analysis.
 */
export interface Reuse {
  previous?: { text: string; fa: FileAnalysis; settings: ResolvedSettings; format: Format; path: string; sibling?: string };
  /**
   * A model of `text` without an analysis: one whose analysis was stopped (a newer version superseded it), or one an
   * inert edit was spliced into (`spliceInert`). The next analysis splices its change into this model.
   */
  parsed?: { text: string; ruleset: Ruleset; format: Format; path: string };
  /**
   * How the last call was answered: `moved` = an inert edit, positions moved; `spliced` = the changed lines re-parsed
   * into the previous model, then analysed; `full` = parsed and analysed.
   */
  last?: 'moved' | 'spliced' | 'full';
  /** Chain summaries carried to the next full analysis: only chains whose rules or callees changed are walked again. */
  exposure?: ExposureCache;
}

/**
 * Parses and analyses one file. With `reuse`, an edit since the previous call that the format declares inert
 * (comment and blank lines, whitespace, counters) is answered from the previous analysis with its positions moved;
 * that analysis's objects are updated in place, so it must be the document's own, superseded one. The settings
 * must be the same object as the previous call's for that (the server keeps one per settings value).
 */
export function analyseText(
  text: string,
  format: Format,
  path: string,
  settings: ResolvedSettings,
  readSibling?: SiblingReader,
  reuse?: Reuse,
): FileAnalysis {
  const steps = analysisSteps(text, format, path, settings, readSibling, reuse);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * `analyseText` in steps (parse or splice, walk, checks): the caller may run other work between them, and may stop
 * before the last (a newer version arrived), leaving `reuse.parsed` for the next analysis when the model was made.
 */
export function* analysisSteps(
  text: string,
  format: Format,
  path: string,
  settings: ResolvedSettings,
  readSibling?: SiblingReader,
  reuse?: Reuse,
): Generator<void, FileAnalysis, void> {
  if (!reuse) return yield* fullSteps(text, format, path, settings, readSibling);
  const prev = reuse.previous;
  // The parity check read the IPv4 sibling: the previous analysis holds only while that text is the same.
  const siblingPath = ipv4Sibling(path);
  const sibling = siblingPath !== undefined ? readSibling?.(siblingPath) : undefined;
  if (prev && prev.settings === settings && prev.format === format && prev.path === path && prev.sibling === sibling) {
    // The same text again (a re-check, or a hover's analysis of this version first): nothing moves. (As `inertShift`
    // has it: only for formats that declare inert edits; others may read files beside that changed.)
    if (prev.text === text && format.inert) {
      reuse.last = 'moved';
      return prev.fa;
    }
    const shift = inertShift(format, prev.text, text);
    const renumber = shift && planRenumbering(prev.fa.findings, shift);
    if (renumber && shiftInPlace([prev.fa.ruleset, prev.fa.findings], shift)) {
      renumber();
      reuse.last = 'moved';
      const fa = fileAnalysis(prev.fa, text);
      reuse.previous = { text, fa, settings, format, path, sibling };
      return fa;
    }
  }
  // Otherwise a line-based format may re-parse only the changed lines into the previous model, which that changes:
  // until this analysis completes there is nothing to reuse but that model.
  const base = prev ? { text: prev.text, ruleset: prev.fa.ruleset, format: prev.format, path: prev.path } : reuse.parsed;
  reuse.previous = reuse.parsed = undefined;
  const spliced = base && splicedModel(base, text, format, path, readSibling);
  reuse.last = spliced ? 'spliced' : 'full';
  const fa = yield* fullSteps(text, format, path, settings, readSibling, (reuse.exposure ??= createExposureCache()), spliced, (ruleset) => {
    reuse.parsed = { text, ruleset, format, path };
  });
  reuse.parsed = undefined;
  reuse.previous = { text, fa, settings, format, path, sibling };
  return fa;
}

/** The model of `base.text` with the changed lines of `text` re-parsed into it, when the format can do that. */
function splicedModel(base: NonNullable<Reuse['parsed']>, text: string, format: Format, path: string, readSibling?: SiblingReader) {
  if (!format.reparse || base.format !== format || base.path !== path) return undefined;
  if (base.text === text) return base.ruleset;
  const change = changedLines(base.text, text);
  return change && format.reparse(base.ruleset, change, parseContext(path, readSibling));
}

/**
 * After an inert edit answered without analysing (the server moves the published findings), the document's model is
 * brought up to that text by splicing the edited lines into it (a few milliseconds), so that the next edit's change
 * is only its own lines. The previous analysis is given up (its positions no longer match); false when the format
 * cannot splice, leaving `reuse` as it was.
 */
export function spliceInert(reuse: Reuse, text: string, readSibling?: SiblingReader): boolean {
  const prev = reuse.previous;
  const base = prev ? { text: prev.text, ruleset: prev.fa.ruleset, format: prev.format, path: prev.path } : reuse.parsed;
  if (!base?.format.reparse) return false;
  if (base.text === text) return true;
  const ruleset = splicedModel(base, text, base.format, base.path, readSibling);
  if (!ruleset) {
    // The format could not splice, and a failed splice may have spent the model's state: start afresh next time.
    reuse.previous = reuse.parsed = undefined;
    return false;
  }
  reuse.previous = undefined;
  reuse.parsed = { text, ruleset, format: base.format, path: base.path };
  return true;
}

function* fullSteps(
  text: string,
  format: Format,
  path: string,
  settings: ResolvedSettings,
  readSibling?: SiblingReader,
  cache?: ExposureCache,
  parsed?: Ruleset,
  onParsed?: (ruleset: Ruleset) => void,
): Generator<void, FileAnalysis, void> {
  const ruleset = parsed ?? format.parse(text, parseContext(path, readSibling));
  onParsed?.(ruleset);
  yield;
  let counterpart: { path: string; exposure: Exposure } | undefined;
  const sibling = ruleset.family === 'ipv6' ? ipv4Sibling(path) : undefined;
  const siblingText = sibling && readSibling?.(sibling);
  if (sibling && siblingText !== undefined)
    counterpart = { path: sibling, exposure: analyseExposure(format.parse(siblingText, parseContext(sibling))) };
  const exposure = analyseExposure(ruleset, cache);
  yield;
  const findings = checkFindings({ ruleset, exposure, settings, counterpart }, text, format.comment);
  return fileAnalysis({ ruleset, exposure, findings, format }, text);
}

/** An analysis of `text`; its lines are split when first read (hovers, quick fixes …), not by every analysis. */
function fileAnalysis(a: Analysis & { format: Format }, text: string): FileAnalysis {
  let lines: string[] | undefined;
  const { ruleset, exposure, findings, format } = a;
  return {
    ruleset,
    exposure,
    findings,
    format,
    get lines() {
      return (lines ??= text.split('\n'));
    },
  };
}

/** The IPv4 file that usually sits beside an IPv6 one: rules.v6 → rules.v4, user6.rules → user.rules … */
export function ipv4Sibling(path: string): string | undefined {
  const m = /^(.*?)(rules\.v6|ip6tables(\.rules|-save)?|(user|before|after)6\.rules|(.+)\.v6\.rules)$/.exec(path);
  if (!m) return undefined;
  const name = m[2];
  if (name === 'rules.v6') return m[1] + 'rules.v4';
  if (name.startsWith('ip6tables')) return m[1] + name.replace('ip6tables', 'iptables');
  if (m[4]) return `${m[1]}${m[4]}.rules`;
  return `${m[1]}${m[5]}.rules`;
}
