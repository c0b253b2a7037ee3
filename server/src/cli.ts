/**
 * The Portcullis command line: `portcullis check` runs the language server's checks on files for CI.
 * Exit codes: 0 no findings at or above --min-severity, 1 findings, 2 usage, read or config error.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveSettings, type ResolvedSettings } from './analysis/settings';
import { describeProblems, findConfigFile, loadHostLayout, readConfigFile, type LoadedConfig } from './config-file';
import type { Severity } from './model/finding';
import { analyseText, type FileAnalysis } from './pipeline';
import { FORMATS } from './formats/registry';
import { buildReport, type ProbeReport } from './features/probe-report';
import { reportJson, reportMarkdown, reportText } from './features/probe-render';
import { probe as runProbe } from './probe/probe';
import { DEFAULTS } from './probe/types';
import { importReport, isUserError, probePlan } from './probe-command';
import { inputs } from './cli/inputs';
import { choice, isCommand, parseCommand, SEVERITIES, stringOption, UsageError, wholeNumber, type Values } from './cli/options';
import { checkReporter, exposureReporter, RANK, type Reporter, type Summary } from './cli/report';
import { errnoText, readIfPresent, readTextFile } from './io/read-file';

const VERSION: string = require('../../package.json').version;

const USAGE = `usage:
  portcullis check [--format text|json|sarif] [--min-severity error|warning|information|hint] [--config FILE]
                   [--language ID] [--verbose] <file|dir>...
  portcullis exposure [--format text|json] [--config FILE] [--language ID] [--verbose] <file|dir>...
  portcullis probe <host> [--ports 22,80,1000-2000 | --from FILE] [--udp] [--timeout MS] [--concurrency N]
                   [--retries N] [--no-banner] [--format text|json|markdown]
  portcullis probe --nmap-xml SCAN.xml [--host ADDR] [--from FILE] [--format text|json|markdown]

check     runs every diagnostic on firewall and service-port configuration files (${FORMATS.map((f) => f.id).join(', ')}).
exposure  prints what every file exposes to whom (ports, sources, the rule's line), worst first, across all formats,
          and the findings that combine files of one host (PC301: Docker-published ports that bypass the host firewall).
probe     connects to each port (TCP; UDP with --udp) of a host and reports open, closed or filtered; with --from,
          compares with what the file expects. --nmap-xml reads an existing \`nmap -oX\` scan instead of probing.
          Probe only hosts you are responsible for.
Directories are searched recursively for files of a known format; symbolic links to directories are not
followed. --verbose names every file that was skipped and why. --config FILE uses FILE instead of the nearest
.portcullis.json; --language ID reads every file given as that format.

Exit status: check: 0 = no findings at or above --min-severity (default warning), 1 = findings, 2 = usage,
read or config error, or no file checked. probe: 0 = every port matches the file's expectation (or no --from),
1 = drift, 2 = usage, resolution or read error.`;

/** Settings per config file, each read and validated once per run; problems are reported once. */
class ConfigCache {
  private readonly byPath = new Map<string, { loaded: LoadedConfig; settings: ResolvedSettings; reported: boolean }>();
  private readonly none = resolveSettings({});

  constructor(private readonly explicit?: string) {}

  /** The settings for a file and, the first time a broken config is met, its problems. */
  forFile(file: string): { settings: ResolvedSettings; problems?: string } {
    const configPath = this.explicit ?? findConfigFile(path.dirname(path.resolve(file)));
    if (!configPath) return { settings: this.none };
    let entry = this.byPath.get(configPath);
    if (!entry) {
      const loaded = readConfigFile(configPath);
      entry = { loaded, settings: resolveSettings(loaded.settings), reported: false };
      this.byPath.set(configPath, entry);
    }
    if (!entry.loaded.problems.length || entry.reported) return { settings: entry.settings };
    entry.reported = true;
    return { settings: entry.settings, problems: describeProblems(entry.loaded).join('; ') };
  }
}

/** Analyses every input in turn, handing each result to the reporter before reading the next. */
function runAnalysis(paths: string[], values: Values, reporter: Reporter, min: Severity): Summary {
  const configPath = stringOption(values, 'config');
  if (configPath !== undefined) {
    try {
      readTextFile(configPath);
    } catch (e) {
      throw new UsageError(`--config ${configPath}: ${errnoText(e)}`);
    }
  }
  const configs = new ConfigCache(configPath);
  const language = stringOption(values, 'language');
  if (language !== undefined && !FORMATS.some((f) => f.id === language)) {
    throw new UsageError(`--language must be ${FORMATS.map((f) => f.id).join(', ')}, not \`${language}\``);
  }
  const summary: Summary = { checked: 0, skipped: 0, errors: 0, findings: 0 };
  for (const input of inputs(paths, language)) {
    if (input.kind === 'skipped') {
      summary.skipped++;
      reporter.skipped(input.path, input.reason);
      continue;
    }
    if (input.kind === 'error') {
      summary.errors++;
      reporter.file({ path: input.path, error: input.message }, []);
      continue;
    }
    let text: string;
    try {
      text = readTextFile(input.path);
    } catch (e) {
      summary.errors++;
      reporter.file({ path: input.path, language: input.format.id, error: `cannot read: ${errnoText(e)}` }, []);
      continue;
    }
    const { settings, problems } = configs.forFile(input.path);
    if (problems) summary.errors++;
    const analysis: FileAnalysis = analyseText(text, input.format, input.path, settings, readIfPresent);
    const shown = analysis.findings.filter((f) => RANK[f.severity] <= RANK[min]);
    summary.checked++;
    summary.findings += shown.length;
    reporter.file(
      { path: input.path, language: input.format.id, analysis, settings, ...(problems ? { error: `config: ${problems}` } : {}) },
      shown,
    );
  }
  return summary;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === 'help' || cmd === '-h') {
    process.stdout.write(USAGE + '\n');
    return cmd ? 0 : 2;
  }
  if (cmd === '--version') {
    process.stdout.write(`portcullis ${VERSION}\n`);
    return 0;
  }
  if (!isCommand(cmd)) throw new UsageError(`unknown command \`${cmd}\``);
  const { values, positionals } = parseCommand(cmd, rest);
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (cmd === 'probe') return probeCommand(values, positionals);
  if (!positionals.length) throw new UsageError('no files given');
  const write = (s: string): void => void process.stdout.write(s);
  const verbose = values.verbose === true;
  let min: Severity = 'warning';
  let reporter: Reporter;
  if (cmd === 'check') {
    const format = choice(values, 'format', ['text', 'json', 'sarif'] as const, 'text');
    min = choice(values, 'min-severity', SEVERITIES, 'warning');
    reporter = checkReporter(format, min, verbose, write, VERSION, process.cwd());
  } else {
    // Host grouping (.portcullis.json "hosts") is read from the config given, else beside the first input.
    const from = stringOption(values, 'config') ?? positionals[0];
    const configDir = fs.existsSync(from) && fs.statSync(from).isDirectory() ? from : path.dirname(path.resolve(from));
    const layout = loadHostLayout(configDir);
    if (layout.error) throw new UsageError(layout.error);
    reporter = exposureReporter(choice(values, 'format', ['text', 'json'] as const, 'text'), verbose, write, layout);
  }
  const summary = runAnalysis(positionals, values, reporter, min);
  reporter.end(summary);
  if (!summary.checked) {
    process.stderr.write(`portcullis: no files checked${summary.skipped ? ` (${summary.skipped} skipped; --verbose names them)` : ''}\n`);
    return 2;
  }
  if (summary.errors) return 2;
  return cmd === 'check' && summary.findings ? 1 : 0;
}

/** Probe limits: timers above 2^31 ms fire at once, so the range is bounded, as the editor settings are. */
const PROBE_LIMITS = { timeout: [10, 600_000], concurrency: [1, 1000], retries: [0, 5] } as const;

async function probeCommand(values: Values, positionals: string[]): Promise<number> {
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
    runAnalysis([from], values, capture, 'hint');
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

// A reader that stops early (\`| head\`) is not an error of the run.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    if (e instanceof UsageError || isUserError(e)) {
      process.stderr.write(`portcullis: ${e.message}\n${e instanceof UsageError ? `\n${USAGE}\n` : ''}`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`portcullis: internal error: ${(e as Error).message}\n`);
    process.exitCode = 2;
  },
);
