/** text → model → analysis for one file; shared by the language server and the CLI. */
import { analyse, type Analysis } from './analysis';
import type { ResolvedSettings } from './analysis/settings';
import type { Format } from './formats/format';
import { formatById, formatForPath } from './formats/registry';
import { portOfService, type Transport } from './knowledge/registry';

export interface FileAnalysis extends Analysis {
  format: Format;
  lines: string[];
}

export function resolveFormat(path: string, languageId?: string): Format | undefined {
  return (languageId && formatById(languageId)) || formatForPath(path);
}

export function analyseText(text: string, format: Format, path: string, settings: ResolvedSettings): FileAnalysis {
  const ruleset = format.parse(text, {
    path,
    resolveService: (name, protocol) => portOfService(name, protocol as Transport | undefined),
  });
  return { ...analyse(ruleset, text, settings), format, lines: text.split('\n') };
}
