/**
 * One input file through the pipeline for `check` and `exposure`: read, settings from its nearest
 * .portcullis.json (or --config), analysis, findings at or above the minimum severity. The serial path and the
 * check workers (cli/check-worker.ts) both use it, so a file is judged the same way on either.
 */
import * as path from 'node:path';
import { resolveSettings, type ResolvedSettings } from '../analysis/settings';
import { describeProblems, findConfigFile, readConfigFile, type LoadedConfig } from '../config-file';
import type { Format } from '../formats/format';
import type { Finding, Severity } from '../model/finding';
import { analyseText, type FileAnalysis } from '../pipeline';
import { errnoText, readIfPresent, readTextFile } from '../io/read-file';

const RANK: Record<Severity, number> = { error: 0, warning: 1, information: 2, hint: 3 };

/** Settings per config file, each read and validated once per run; problems are reported once. */
export class ConfigCache {
  private readonly byPath = new Map<string, { loaded: LoadedConfig; settings: ResolvedSettings; reported: boolean }>();
  /** Directory → its nearest config: files of one folder share the lookup (each is a walk up to the root). */
  private readonly byDir = new Map<string, string | undefined>();
  private readonly none = resolveSettings({});

  constructor(private readonly explicit?: string) {}

  /** The settings for a file. */
  settings(file: string): ResolvedSettings {
    return this.entry(file)?.settings ?? this.none;
  }

  /** The problems of a file's config, the first time a broken config is met (so each is reported once). */
  newProblems(file: string): string | undefined {
    const entry = this.entry(file);
    if (!entry?.loaded.problems.length || entry.reported) return undefined;
    entry.reported = true;
    return describeProblems(entry.loaded).join('; ');
  }

  private entry(file: string) {
    const configPath = this.explicit ?? this.lookup(path.dirname(path.resolve(file)));
    if (!configPath) return undefined;
    let entry = this.byPath.get(configPath);
    if (!entry) {
      const loaded = readConfigFile(configPath);
      entry = { loaded, settings: resolveSettings(loaded.settings), reported: false };
      this.byPath.set(configPath, entry);
    }
    return entry;
  }

  private lookup(dir: string): string | undefined {
    if (!this.byDir.has(dir)) this.byDir.set(dir, findConfigFile(dir));
    return this.byDir.get(dir);
  }
}

/**
 * Files read beside the checked ones, for the run: every Kubernetes manifest reads its folder's other manifests, so a
 * folder of n manifests was read n² times (1,000-file repository: 2,518 reads beside 1,000 checked files). A CLI run
 * takes the files as they are when it starts; the least recently used texts go first past a bound.
 */
export class BesideTexts {
  private readonly texts = new Map<string, string | undefined>();
  private chars = 0;

  constructor(private readonly maxChars = 4 * 1024 * 1024) {}

  readonly read = (file: string): string | undefined => {
    if (this.texts.has(file)) {
      const hit = this.texts.get(file);
      this.texts.delete(file);
      this.texts.set(file, hit);
      return hit;
    }
    const text = readIfPresent(file);
    if (text !== undefined && text.length > this.maxChars / 4) return text;
    this.texts.set(file, text);
    this.chars += text?.length ?? 0;
    for (const [k, t] of this.texts) {
      if (this.chars <= this.maxChars) break;
      this.texts.delete(k);
      this.chars -= t?.length ?? 0;
    }
    return text;
  };
}

/** A file read and analysed, or why it could not be read. */
export type Analysed = { error: string } | { analysis: FileAnalysis; settings: ResolvedSettings; shown: Finding[] };

/** Reads and analyses one file with the settings `configs` gives it; only reading failures come back as values. */
export function analyseFile(
  file: string,
  format: Format,
  configs: ConfigCache,
  min: Severity,
  beside: (path: string) => string | undefined = readIfPresent,
): Analysed {
  let text: string;
  try {
    text = readTextFile(file);
  } catch (e) {
    return { error: `cannot read: ${errnoText(e)}` };
  }
  const settings = configs.settings(file);
  const analysis = analyseText(text, format, file, settings, beside);
  return { analysis, settings, shown: analysis.findings.filter((f) => RANK[f.severity] <= RANK[min]) };
}
