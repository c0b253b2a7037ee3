/** Small helpers so tests read as the scenario they check. */
import { resolveSettings, type Settings } from '../../server/src/analysis/settings';
import { iptablesFormat } from '../../server/src/formats/iptables';
import { analyseText, type FileAnalysis } from '../../server/src/pipeline';

export function analyseRules(text: string, settings: Partial<Settings> = {}, path = 'test.rules'): FileAnalysis {
  return analyseText(text, iptablesFormat, path, resolveSettings(settings));
}

/** A minimal filter table around some rule lines. */
export function filterTable(rules: string[], policy = 'DROP'): string {
  return ['*filter', `:INPUT ${policy} [0:0]`, ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]', ...rules, 'COMMIT', ''].join('\n');
}

export function codes(fa: FileAnalysis): string[] {
  return fa.findings.map((f) => f.code);
}
