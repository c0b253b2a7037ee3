/**
 * The Portcullis command line: `portcullis check` runs the language server's checks on files for CI.
 * Exit codes: 0 no findings at or above --min-severity, 1 findings, 2 usage, read or config error.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Severity } from './model/finding';
import { choice, isCommand, parseCommand, SEVERITIES, stringOption, UsageError, wholeNumber } from './cli/options';
import type { Reporter } from './cli/report';

// Start-up loads only what a command uses: the formats, analysis and reporters are required when `check` or
// `exposure` runs, the prober when `probe` does; `--version` needs none of them.
const VERSION: string = require('../../package.json').version;

const formatIds = (): string => (require('./formats/registry') as typeof import('./formats/registry')).FORMATS.map((f) => f.id).join(', ');

const usage = (): string => `usage:
  portcullis check [--format text|json|sarif] [--min-severity error|warning|information|hint] [--config FILE]
                   [--language ID] [--verbose] [--jobs N] <file|dir>...
  portcullis exposure [--format text|json] [--config FILE] [--language ID] [--verbose] <file|dir>...
  portcullis probe <host> [--ports 22,80,1000-2000 | --from FILE] [--udp] [--timeout MS] [--concurrency N]
                   [--retries N] [--no-banner] [--format text|json|markdown]
  portcullis probe --nmap-xml SCAN.xml [--host ADDR] [--from FILE] [--format text|json|markdown]

check     runs every diagnostic on firewall and service-port configuration files (${formatIds()}).
exposure  prints what every file exposes to whom (ports, sources, the rule's line), worst first, across all formats,
          and the findings that combine files of one host (PC301: Docker-published ports that bypass the host firewall).
probe     connects to each port (TCP; UDP with --udp) of a host and reports open, closed or filtered; with --from,
          compares with what the file expects. --nmap-xml reads an existing \`nmap -oX\` scan instead of probing.
          Probe only hosts you are responsible for.
Directories are searched recursively for files of a known format; symbolic links to directories are not
followed. --verbose names every file that was skipped and why. --config FILE uses FILE instead of the nearest
.portcullis.json; --language ID reads every file given as that format. --jobs N checks files on N threads, the
main one included (by default one per two idle cores when there are enough files); the output is the same either way.

Exit status: check: 0 = no findings at or above --min-severity (default warning), 1 = findings, 2 = usage,
read or config error, or no file checked. probe: 0 = every port matches the file's expectation (or no --from),
1 = drift, 2 = usage, resolution or read error.`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === 'help' || cmd === '-h') {
    process.stdout.write(usage() + '\n');
    return cmd ? 0 : 2;
  }
  if (cmd === '--version') {
    process.stdout.write(`portcullis ${VERSION}\n`);
    return 0;
  }
  if (!isCommand(cmd)) throw new UsageError(`unknown command \`${cmd}\``);
  const { values, positionals } = parseCommand(cmd, rest);
  if (values.help) {
    process.stdout.write(usage() + '\n');
    return 0;
  }
  if (cmd === 'probe') return (require('./cli/probe') as typeof import('./cli/probe')).probeCommand(values, positionals);
  if (!positionals.length) throw new UsageError('no files given');
  const { checkReporter, exposureReporter } = require('./cli/report') as typeof import('./cli/report');
  const write = (s: string): void => void process.stdout.write(s);
  const verbose = values.verbose === true;
  let min: Severity = 'warning';
  let reporter: Reporter;
  let jobs: number | undefined = 1;
  if (cmd === 'check') {
    const format = choice(values, 'format', ['text', 'json', 'sarif'] as const, 'text');
    min = choice(values, 'min-severity', SEVERITIES, 'warning');
    jobs = values.jobs === undefined ? undefined : wholeNumber(values, 'jobs', 1, 1, 256);
    reporter = checkReporter(format, min, verbose, write, VERSION, process.cwd());
  } else {
    // Host grouping (.portcullis.json "hosts") is read from the config given, else beside the first input.
    const from = stringOption(values, 'config') ?? positionals[0];
    const configDir = fs.existsSync(from) && fs.statSync(from).isDirectory() ? from : path.dirname(path.resolve(from));
    const layout = (require('./config-file') as typeof import('./config-file')).loadHostLayout(configDir);
    if (layout.error) throw new UsageError(layout.error);
    reporter = exposureReporter(choice(values, 'format', ['text', 'json'] as const, 'text'), verbose, write, layout);
  }
  const { runAnalysis } = require('./cli/run') as typeof import('./cli/run');
  const summary = await runAnalysis(positionals, values, reporter, { min, jobs });
  reporter.end(summary);
  if (!summary.checked) {
    process.stderr.write(`portcullis: no files checked${summary.skipped ? ` (${summary.skipped} skipped; --verbose names them)` : ''}\n`);
    return 2;
  }
  if (summary.errors) return 2;
  return cmd === 'check' && summary.findings ? 1 : 0;
}

// A reader that stops early (\`| head\`) is not an error of the run.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    if (e instanceof UsageError || (require('./probe-command') as typeof import('./probe-command')).isUserError(e)) {
      process.stderr.write(`portcullis: ${e.message}\n${e instanceof UsageError ? `\n${usage()}\n` : ''}`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`portcullis: internal error: ${(e as Error).message}\n`);
    process.exitCode = 2;
  },
);
