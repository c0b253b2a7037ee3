/** `portcullis probe`: probes a host (or reads an nmap scan) and, with --from, compares with what the file expects. */
import type { FileAnalysis } from '../pipeline';
import { buildReport, type ProbeReport } from '../features/probe-report';
import { reportJson, reportMarkdown, reportText } from '../features/probe-render';
import { probe as runProbe } from '../probe/probe';
import { DEFAULTS } from '../probe/types';
import { importReport, probePlan } from '../probe-command';
import { errnoText, readTextFile } from '../io/read-file';
import { choice, stringOption, UsageError, wholeNumber, type Values } from './options';
import type { Reporter } from './report';
import { runAnalysis } from './run';

/** Probe limits: timers above 2^31 ms fire at once, so the range is bounded, as the editor settings are. */
const PROBE_LIMITS = { timeout: [10, 600_000], concurrency: [1, 1000], retries: [0, 5] } as const;

export async function probeCommand(values: Values, positionals: string[]): Promise<number> {
  const format = choice(values, 'format', ['text', 'json', 'markdown'] as const, 'text');
  const ports = stringOption(values, 'ports');
  const from = stringOption(values, 'from');
  const nmapXml = stringOption(values, 'nmap-xml');
  if (ports !== undefined && from !== undefined) throw new UsageError('give --ports or --from, not both');
  const number = (key: keyof typeof PROBE_LIMITS, fallback: number): number =>
    wholeNumber(values, key, fallback, PROBE_LIMITS[key][0], PROBE_LIMITS[key][1]);
  const options = {
    timeoutMs: number('timeout', DEFAULTS.timeoutMs),
    concurrency: number('concurrency', DEFAULTS.concurrency),
    retries: number('retries', DEFAULTS.retries),
    banner: values['no-banner'] !== true,
  };
  let fa: FileAnalysis | undefined;
  if (from !== undefined) {
    let result: { analysis?: FileAnalysis; error?: string } = {};
    const capture: Reporter = {
      file: (r) => (result = r),
      skipped: (p, reason) => (result = { error: `${p}: ${reason}` }),
      end: () => undefined,
    };
    await runAnalysis([from], values, capture, { min: 'hint', jobs: 1 });
    if (!result.analysis || result.error) throw new UsageError(result.error ? `${from}: ${result.error}` : `cannot analyse ${from}`);
    fa = result.analysis;
  }
  let report: ProbeReport;
  if (nmapXml !== undefined) {
    if (positionals.length || ports !== undefined)
      throw new UsageError('--nmap-xml reads the hosts and ports from the scan; give no host or --ports');
    let xml: string;
    try {
      xml = readTextFile(nmapXml);
    } catch (e) {
      throw new UsageError(`cannot read ${nmapXml}: ${errnoText(e)}`);
    }
    report = importReport(xml, stringOption(values, 'host'), fa);
  } else {
    if (positionals.length !== 1)
      throw new UsageError(positionals.length ? `one host at a time (got ${positionals.join(' ')})` : 'no host given');
    if (ports === undefined && !fa) throw new UsageError('give --ports or --from FILE');
    const plan = probePlan({ target: positionals[0], ports, udp: values.udp === true }, fa);
    const abort = new AbortController();
    const onInt = (): void => abort.abort();
    process.once('SIGINT', onInt);
    const tty = process.stderr.isTTY;
    const at = new Date().toISOString();
    try {
      const onProgress = tty
        ? (p: { done: number; total: number }) => process.stderr.write(`\rprobing ${positionals[0]}: ${p.done}/${p.total}`)
        : undefined;
      const run = await runProbe(positionals[0], plan, options, { signal: abort.signal, onProgress });
      if (tty) process.stderr.write('\r\x1b[K');
      report = buildReport(run, at, 'probe', fa);
    } finally {
      process.off('SIGINT', onInt);
    }
  }
  if (format === 'json') process.stdout.write(JSON.stringify(reportJson(report), null, 2) + '\n');
  else process.stdout.write(format === 'markdown' ? reportMarkdown(report) : reportText(report));
  if (report.cancelled) return 130;
  return report.results.some((r) => r.drift) ? 1 : 0;
}
