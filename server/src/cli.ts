/**
 * The Portcullis command line: `portcullis check` runs the language server's checks on files for CI.
 * Exit codes: 0 no findings at or above --min-severity, 1 findings, 2 usage or read error.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveSettings } from './analysis/settings';
import { definedOnly, loadConfigFile, loadHostLayout } from './config-file';
import type { Finding, Severity } from './model/finding';
import { analyseText, resolveFormat, type FileAnalysis } from './pipeline';
import { matrixJson, serviceMatrix } from './analysis/matrix';
import { exposureTree, renderRows, workspaceRows } from './features/workspace-exposure';
import { combine } from './workspace';
import { readHead } from './workspace/files';
import { toSarif } from './features/sarif';
import { FORMATS } from './formats/registry';
import { buildReport, type ProbeReport } from './features/probe-report';
import { reportJson, reportMarkdown, reportText } from './features/probe-render';
import { probe as runProbe } from './probe/probe';
import { DEFAULTS } from './probe/types';
import { importReport, isUserError, probePlan } from './probe-command';

const VERSION: string = require('../../package.json').version;
const RANK: Record<Severity, number> = { error: 0, warning: 1, information: 2, hint: 3 };

const USAGE = `usage:
  portcullis check [--format text|json|sarif] [--min-severity error|warning|information|hint] [--config FILE] <file|dir>...
  portcullis exposure [--format text|json] [--config FILE] <file|dir>...
  portcullis probe <host> [--ports 22,80,1000-2000 | --from FILE] [--udp] [--timeout MS] [--concurrency N]
                   [--retries N] [--no-banner] [--format text|json|markdown]
  portcullis probe --nmap-xml SCAN.xml [--host ADDR] [--from FILE] [--format text|json|markdown]

check     runs every diagnostic on firewall and service-port configuration files (${FORMATS.map((f) => f.id).join(', ')}).
exposure  prints what every file exposes to whom (ports, sources, the rule's line), worst first, across all formats,
          and the findings that combine files of one host (PC301: Docker-published ports that bypass the host firewall).
probe     connects to each port (TCP; UDP with --udp) of a host and reports open, closed or filtered; with --from,
          compares with what the file expects. --nmap-xml reads an existing \`nmap -oX\` scan instead of probing.
          Probe only hosts you are responsible for.
Directories are searched recursively for files of a known format.

Exit status: check: 0 = no findings at or above --min-severity (default warning), 1 = findings, 2 = usage or
read error. probe: 0 = every port matches the file's expectation (or no --from), 1 = drift, 2 = usage,
resolution or read error.`;

class UsageError extends Error {}

interface FileResult {
  path: string;
  language?: string;
  findings: Finding[];
  error?: string;
  analysis?: FileAnalysis;
  settings?: ReturnType<typeof resolveSettings>;
}

const FLAGS = new Set(['help', 'version', 'udp', 'no-banner']);

function parseArgs(argv: string[]): { opts: Record<string, string>; paths: string[] } {
  const opts: Record<string, string> = {};
  const paths: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      paths.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const key = eq > 0 ? a.slice(2, eq) : a.slice(2);
      if (FLAGS.has(key)) {
        opts[key] = 'true';
        continue;
      }
      const val = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (val === undefined) throw new UsageError(`option --${key} needs a value`);
      opts[key] = val;
    } else paths.push(a);
  }
  return { opts, paths };
}

function collect(p: string, out: string[], explicit: boolean): void {
  const st = fs.statSync(p);
  if (st.isDirectory()) {
    for (const e of fs.readdirSync(p).sort()) {
      if (e === 'node_modules' || e.startsWith('.git')) continue;
      collect(path.join(p, e), out, false);
    }
  } else if (explicit || resolveFormat(p, undefined, () => readHead(p))) out.push(p);
}

function check(paths: string[], opts: Record<string, string>): { results: FileResult[]; readErrors: number } {
  const files: string[] = [];
  const results: FileResult[] = [];
  let readErrors = 0;
  for (const p of paths) {
    try {
      collect(p, files, true);
    } catch (e) {
      readErrors++;
      results.push({ path: p, findings: [], error: `cannot read: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}` });
    }
  }
  const configCache = new Map<string, ReturnType<typeof resolveSettings>>();
  for (const file of files) {
    const format = resolveFormat(file, opts.language, () => readHead(file));
    if (!format) {
      readErrors++;
      results.push({ path: file, findings: [], error: `unknown file type: pass --language ${FORMATS.map((f) => f.id).join('|')}` });
      continue;
    }
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      readErrors++;
      results.push({ path: file, language: format.id, findings: [], error: `cannot read: ${(e as Error).message}` });
      continue;
    }
    const dir = opts.config ? opts.config : path.dirname(path.resolve(file));
    let settings = configCache.get(dir);
    if (!settings) {
      const loaded = opts.config ? loadExplicitConfig(opts.config) : loadConfigFile(dir);
      settings = resolveSettings(definedOnly(loaded.settings));
      if (loaded.error) settings.errors.push(loaded.error);
      configCache.set(dir, settings);
    }
    const fa = analyseText(text, format, file, settings, readIfExists);
    results.push({ path: file, language: format.id, findings: fa.findings, analysis: fa, settings, ...(settings.errors.length ? { error: settings.errors.join('; ') } : {}) });
  }
  return { results, readErrors };
}

function readIfExists(p: string): string | undefined {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}

function loadExplicitConfig(file: string): ReturnType<typeof loadConfigFile> {
  if (!fs.existsSync(file)) throw new UsageError(`config file ${file} does not exist`);
  return loadConfigFile(path.dirname(path.resolve(file)));
}

function text(results: FileResult[], min: Severity): string {
  const lines: string[] = [];
  let shown = 0;
  for (const r of results) {
    if (r.error) lines.push(`${r.path}: error: ${r.error}`);
    for (const f of r.findings) {
      if (RANK[f.severity] > RANK[min]) continue;
      shown++;
      lines.push(`${r.path}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.severity} ${f.code}: ${f.message}`);
    }
  }
  lines.push(`${results.length} file${results.length === 1 ? '' : 's'} checked, ${shown} finding${shown === 1 ? '' : 's'} at or above ${min}`);
  return lines.join('\n') + '\n';
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
  if (cmd !== 'check' && cmd !== 'exposure' && cmd !== 'probe') throw new UsageError(`unknown command \`${cmd}\``);
  const { opts, paths } = parseArgs(rest);
  if (opts.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (cmd === 'probe') return probeCommand(opts, paths);
  const format = opts.format ?? 'text';
  if (format !== 'text' && format !== 'json' && format !== 'sarif') throw new UsageError(`--format must be text, json or sarif, not \`${format}\``);
  const min = (opts['min-severity'] ?? 'warning') as Severity;
  if (!(min in RANK)) throw new UsageError(`--min-severity must be error, warning, information or hint, not \`${min}\``);
  if (!paths.length) throw new UsageError('no files given');
  const { results, readErrors } = check(paths, opts);
  if (cmd === 'exposure') return exposure(results, format, readErrors, opts.config ?? paths[0]);
  if (format === 'sarif') {
    process.stdout.write(JSON.stringify(toSarif(results, VERSION, process.cwd()), null, 2) + '\n');
  } else if (format === 'json') {
    const json = { files: results.map((r) => ({ path: r.path, language: r.language ?? null, ...(r.error ? { error: r.error } : {}), findings: r.findings.map((f) => ({ code: f.code, severity: f.severity, message: f.message, range: f.range })) })) };
    process.stdout.write(JSON.stringify(json, null, 2) + '\n');
  } else process.stdout.write(text(results, min));
  if (readErrors) return 2;
  return results.some((r) => r.findings.some((f) => RANK[f.severity] <= RANK[min])) ? 1 : 0;
}

/** What every file exposes to whom, worst first, with the findings that combine files of one host (PC301). */
function exposure(results: FileResult[], format: string, readErrors: number, configFrom: string): number {
  const defaults = resolveSettings({});
  const layout = loadHostLayout(fs.existsSync(configFrom) && fs.statSync(configFrom).isDirectory() ? configFrom : path.dirname(path.resolve(configFrom)));
  if (layout.error) throw new UsageError(layout.error);
  const ws = combine(results.map((r) => ({ path: r.path, analysis: r.analysis, settings: r.settings, ...(r.error && !r.analysis ? { error: r.error } : {}) })), layout, defaults);
  const rows = workspaceRows(ws, defaults);
  const tree = exposureTree(ws, defaults);
  if (format === 'json') {
    const files = results.map((r) => ({ path: r.path, language: r.language ?? null, ...(r.error ? { error: r.error } : {}), chains: r.analysis ? matrixJson(serviceMatrix(r.analysis.exposure)) : [] }));
    const findings = tree.findings.map((f) => ({ path: f.path, code: f.code, severity: f.severity, message: f.message, range: f.range }));
    process.stdout.write(JSON.stringify({ files, exposures: rows, findings, hosts: tree.hosts }, null, 2) + '\n');
  } else process.stdout.write(renderRows(rows, tree, (p) => path.relative(process.cwd(), p) || p));
  return readErrors ? 2 : 0;
}

function positiveInt(opts: Record<string, string>, key: string, fallback: number, min = 1): number {
  if (opts[key] === undefined) return fallback;
  const n = Number(opts[key]);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${key} must be a whole number of at least ${min}, not \`${opts[key]}\``);
  return n;
}

async function probeCommand(opts: Record<string, string>, paths: string[]): Promise<number> {
  const format = opts.format ?? 'text';
  if (format !== 'text' && format !== 'json' && format !== 'markdown') throw new UsageError(`--format must be text, json or markdown, not \`${format}\``);
  if (opts.ports !== undefined && opts.from !== undefined) throw new UsageError('give --ports or --from, not both');
  let fa: FileAnalysis | undefined;
  if (opts.from !== undefined) {
    const { results, readErrors } = check([opts.from], opts);
    if (readErrors || !results[0]?.analysis) throw new UsageError(results[0]?.error ?? `cannot analyse ${opts.from}`);
    fa = results[0].analysis;
  }
  let report: ProbeReport;
  if (opts['nmap-xml'] !== undefined) {
    if (paths.length || opts.ports !== undefined) throw new UsageError('--nmap-xml reads the hosts and ports from the scan; give no host or --ports');
    let xml: string;
    try {
      xml = fs.readFileSync(opts['nmap-xml'], 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read ${opts['nmap-xml']}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    report = importReport(xml, opts.host, fa);
  } else {
    if (paths.length !== 1) throw new UsageError(paths.length ? `one host at a time (got ${paths.join(' ')})` : 'no host given');
    if (opts.ports === undefined && !fa) throw new UsageError('give --ports or --from FILE');
    const ports = probePlan({ target: paths[0], ports: opts.ports, udp: opts.udp === 'true' }, fa);
    const abort = new AbortController();
    const onInt = (): void => abort.abort();
    process.once('SIGINT', onInt);
    const tty = process.stderr.isTTY;
    const at = new Date().toISOString();
    try {
      const run = await runProbe(
        paths[0],
        ports,
        { timeoutMs: positiveInt(opts, 'timeout', DEFAULTS.timeoutMs), concurrency: positiveInt(opts, 'concurrency', DEFAULTS.concurrency), retries: positiveInt(opts, 'retries', DEFAULTS.retries, 0), banner: opts['no-banner'] !== 'true' },
        { signal: abort.signal, onProgress: tty ? (p) => process.stderr.write(`\rprobing ${paths[0]}: ${p.done}/${p.total}`) : undefined },
      );
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

