/**
 * Fuzzing every registered format: deterministic inputs (random bytes and mutated corpus lines) run through the
 * whole path an editor takes — parse (and so the tokenizer), analysis, hover, code actions, completion, symbols
 * and the service matrix. Inputs run in a worker thread with a heap limit and a watchdog, so an endless loop
 * or a runaway allocation is reported with the input that caused it instead of taking the run down.
 * Used by test/unit/robustness/fuzz.test.ts (bounded) and scripts/fuzz.mjs (long runs).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { resolveSettings } from '../../server/src/analysis/settings';
import { serviceMatrix } from '../../server/src/analysis/matrix';
import { codeActions } from '../../server/src/features/code-actions';
import { completions } from '../../server/src/features/completion';
import { toDiagnostic } from '../../server/src/features/diagnostics';
import { hoverAt } from '../../server/src/features/hover';
import { documentSymbols } from '../../server/src/features/symbols';
import type { Format } from '../../server/src/formats/format';
import { FORMATS, formatById, formatForPath } from '../../server/src/formats/registry';
import type { Range } from '../../server/src/model/range';
import { allRules } from '../../server/src/model/ruleset';
import { analyseText } from '../../server/src/pipeline';
import { CORPUS, HAVE_CORPUS, REPO } from './corpus';
import { rng } from './rng';

export { rng };


/** Characters and words that broke or nearly broke a tokenizer or parser before, plus every format's syntax. */
const PIECES = [
  '\u00a0',
  '\ufeff',
  '\f',
  '\v',
  '\\\r',
  '\\\n',
  '\\',
  '\r',
  '\u2028',
  '\u3000',
  '\u0000',
  '\u{1F525}',
  '\ud800',
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  '"',
  "'",
  '!',
  '<',
  '>',
  '=',
  ',',
  ';',
  ':',
  '#',
  '-',
  '--',
  '*',
  '/',
  '$',
  '@',
  '&',
  '0',
  '65535',
  '65536',
  '-1',
  '99999999999999999999',
  '::',
  '0/0',
  '1.2.3.4/99',
  '10.0.0.0/8',
  'fe80::/10',
  '$ext_if',
  '<t>',
  ' ',
  '\t',
  'port',
  'to',
  'from',
  'any',
  'on',
  'in',
  'out',
  'quick',
  'pass',
  'block',
  'proto',
  'tcp',
  'udp',
  'keep state',
  '"!"',
  '--comment "!"',
  '"-x"',
  '-A',
  '-I',
  '-N',
  '-j',
  '-g',
  '-p',
  '-s',
  '-i',
  '--dport',
  '--sport',
  '-m',
  'multiport',
  '--dports',
  'comment',
  '--comment',
  'ACCEPT',
  'DROP',
  'RETURN',
  '*filter',
  'COMMIT',
  ':INPUT DROP [0:0]',
  'table',
  'chain',
  'jump',
  'goto',
  'type filter',
  'hook input',
  'policy drop;',
  'ip saddr',
  'th dport',
  'set',
  'map',
  'define',
  'include',
  'elements = {',
  '<!--',
  '-->',
  '<zone>',
  '</zone>',
  '<service name="ssh"/>',
  '<port port="22" protocol="tcp"/>',
  '<rule>',
  '<source address="::"/>',
  '<![CDATA[',
  '&amp;',
  '<?xml version="1.0"?>',
  'anchor',
  'table <t> {',
  'rdr',
  'nat',
  '->',
  'ssh',
  'http:https',
  // YAML / JSON (compose, Kubernetes, CloudFormation, ARM)
  'services:',
  'ports:',
  '- "8080:80"',
  '- 127.0.0.1:5432:5432/udp',
  '${PORT:-80}',
  '${',
  'apiVersion: v1',
  'kind: Service',
  'type: LoadBalancer',
  'hostPort: 22',
  'nodePort:',
  '&a',
  '*a',
  '<<: *a',
  '!Ref',
  '!Sub',
  '{{ .Values.port }}',
  '---',
  '"FromPort": 22',
  '"ToPort":',
  '"CidrIp": "0.0.0.0/0"',
  "[parameters('p')]",
  '"securityRules": [',
  // HCL (Terraform)
  'resource "aws_security_group" "a" {',
  'ingress {',
  'from_port = 0',
  'cidr_blocks = ["0.0.0.0/0"]',
  'var.',
  '${var.x}',
  'dynamic "ingress" {',
  'for_each',
  '<<EOT',
  // Dockerfile, services
  'EXPOSE',
  'ARG',
  'ENV',
  '80/tcp',
  'ssh 22/tcp',
];

const FALLBACK_LINES = ['# portcullis fuzz seed line', 'pass in proto tcp to port 22', '-A INPUT -p tcp --dport 22 -j ACCEPT'];

export interface FuzzInput {
  index: number;
  format: Format;
  path: string;
  text: string;
}

/** Lines of every corpus and fixture file, grouped by the format that claims the file (the registry decides). */
export function linePools(): Map<string, { lines: string[]; names: string[] }> {
  const pools = new Map<string, { lines: string[]; names: string[] }>(FORMATS.map((f) => [f.id, { lines: [], names: [] }]));
  const roots = [path.join(REPO, 'test/fixtures'), ...(HAVE_CORPUS ? [CORPUS] : [])];
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && !e.name.endsWith('.md')) files.push(p);
    }
  };
  for (const r of roots) if (fs.existsSync(r)) walk(r);
  for (const file of files.sort()) {
    // Corpus folders are named by format where file names alone do not say (pf's *.conf).
    if (fs.statSync(file).size > 2_000_000) continue;
    // The registry decides, with the content sniff for generic .yaml/.json (compose, Kubernetes, CloudFormation, ARM).
    const format =
      formatForPath(file, () => fs.readFileSync(file, 'utf8')) ?? formatById(path.relative(CORPUS, file).split(path.sep)[0]);
    if (!format) continue;
    const pool = pools.get(format.id)!;
    pool.names.push(path.basename(file));
    for (const l of fs.readFileSync(file, 'utf8').split('\n')) if (l.trim()) pool.lines.push(l);
  }
  for (const p of pools.values()) if (!p.lines.length) p.lines.push(...FALLBACK_LINES);
  return pools;
}

const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];

function mutate(line: string, rand: () => number): string {
  const op = rand();
  const at = Math.floor(rand() * (line.length + 1));
  if (op < 0.35) return line.slice(0, at) + pick(rand, PIECES) + line.slice(at);
  if (op < 0.5) return line.slice(0, at) + line.slice(at + 1 + Math.floor(rand() * 12));
  if (op < 0.6) return line.slice(0, at);
  if (op < 0.7) return line.split(' ').reverse().join(' ');
  if (op < 0.8) {
    const words = line.split(' ');
    words[Math.floor(rand() * words.length)] = pick(rand, PIECES);
    return words.join(' ');
  }
  if (op < 0.85) return line.replace(/ /g, pick(rand, ['\u00a0', '\t', '\f', '\v', '\ufeff', '  ']));
  return line;
}

function randomText(rand: () => number): string {
  const n = Math.floor(rand() * 240);
  let s = '';
  for (let k = 0; k < n; k++) {
    const r = rand();
    if (r < 0.6) s += String.fromCharCode(Math.floor(rand() * 256));
    else if (r < 0.8) s += pick(rand, PIECES);
    else if (r < 0.9) s += String.fromCharCode(Math.floor(rand() * 0x10000));
    else s += pick(rand, ['\n', '\r\n', ' ', '\\\r']);
  }
  return s;
}

/** Input number `index` of a run with `seed`: the same pair always gives the same input. */
export function fuzzInput(seed: number, index: number, pools: ReturnType<typeof linePools>): FuzzInput {
  const rand = rng((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const format = FORMATS[index % FORMATS.length];
  // Mostly the format's own lines, sometimes another format's (parsers meet foreign text in practice too).
  const pool = pools.get(rand() < 0.8 ? format.id : pick(rand, FORMATS).id)!;
  const kind = rand();
  let text: string;
  if (kind < 0.15) text = randomText(rand);
  else {
    const doc: string[] = [];
    const count = 1 + Math.floor(rand() * 30);
    const start = Math.floor(rand() * pool.lines.length);
    for (let k = 0; k < count; k++) {
      // Runs of consecutive lines keep blocks (tables, chains, XML elements) together, so deeper states are reached.
      const line = rand() < 0.7 ? pool.lines[(start + k) % pool.lines.length] : pick(rand, pool.lines);
      doc.push(rand() < 0.3 ? mutate(line, rand) : line);
    }
    if (kind > 0.95) doc.push(randomText(rand));
    text = doc.join(pick(rand, ['\n', '\n', '\n', '\r\n', '\r']));
  }
  const name = pool.names.length && rand() < 0.5 ? pick(rand, pool.names) : `fuzz.${format.id}`;
  return { index, format, path: `/fuzz/${name}`, text };
}

export interface Outcome {
  ms: number;
  /** Set when the first run was over the slow limit and the input was run again: the first run's time. */
  firstMs?: number;
  error?: string;
  internal?: string;
}

const settings = resolveSettings({});

/** Runs one input through everything an editor would ask of it; exceptions propagate to the caller. */
export function exercise(input: FuzzInput): Outcome {
  const t0 = performance.now();
  const uri = `file://${input.path}`;
  const fa = analyseText(input.text, input.format, input.path, settings);
  const internal = fa.findings.find((f) => f.message.startsWith('internal parser error'));
  const rand = rng(input.index);
  const positions = fa.findings.map((f) => f.range.start);
  for (const r of allRules(fa.ruleset).slice(0, 20))
    for (const c of r.conditions) for (const i of (c as { items?: { range: Range }[] }).items ?? []) positions.push(i.range.start);
  for (let k = 0; k < 10; k++) {
    const line = Math.floor(rand() * (fa.lines.length + 2));
    positions.push({ line, character: Math.floor(rand() * ((fa.lines[line]?.length ?? 0) + 2)) });
  }
  for (const p of positions.slice(0, 60)) hoverAt(fa, p, settings);
  for (const p of positions.slice(0, 5)) completions(fa, p, settings);
  const diagnostics = fa.findings.map((f) => toDiagnostic(f, uri));
  // A stale diagnostic from an older, longer version of the document must not make a code action misbehave.
  diagnostics.push({
    range: { start: { line: fa.lines.length + 3, character: 0 }, end: { line: fa.lines.length + 3, character: 1 } },
    source: 'portcullis',
    code: 'PC101',
    message: 'stale',
    data: { ruleId: 999999 },
  });
  codeActions(fa, { uri, version: 1, snippets: 'none' }, diagnostics);
  documentSymbols(fa.ruleset);
  serviceMatrix(fa.exposure);
  return { ms: performance.now() - t0, ...(internal ? { internal: `${internal.code} ${internal.message}` } : {}) };
}

export interface Failure {
  index: number;
  format: string;
  kind: 'exception' | 'internal' | 'slow' | 'hang' | 'heap';
  message: string;
  ms?: number;
  /** The input, JSON-quoted, for a regression test. */
  input: string;
}

export interface FuzzReport {
  seed: number;
  count: number;
  done: number;
  exceptions: number;
  internalErrors: number;
  slow: number;
  /** Inputs whose first run was over the slow limit, run again; `slow` counts those slow both times. */
  retimed: number;
  /** The first 50 of them: index, format and both times. */
  retimedInputs: { index: number; format: string; firstMs: number; ms: number }[];
  hangs: number;
  heapFailures: number;
  maxMs: number;
  maxIndex: number;
  p99Ms: number;
  totalMs: number;
  perFormat: Record<string, number>;
  failures: Failure[];
}

export interface FuzzOptions {
  seed: number;
  count: number;
  /** An input slower than this is a failure ("slow"). */
  slowMs?: number;
  /** An input still running after this long is killed and reported as a hang. */
  hangMs?: number;
  /** Old-generation heap limit of the worker, in MB. */
  heapMb?: number;
  onProgress?(done: number, report: FuzzReport): void;
}

const WORKER = path.join(__dirname, 'fuzz-worker.js');
const STARTUP_MS = 120_000;

/** Runs inputs [0, count) of `seed` in a worker, restarting it after a hang or heap failure. */
export async function runFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const slowMs = o.slowMs ?? 1000;
  const hangMs = o.hangMs ?? 10_000;
  const report: FuzzReport = {
    seed: o.seed,
    count: o.count,
    done: 0,
    exceptions: 0,
    internalErrors: 0,
    slow: 0,
    retimed: 0,
    retimedInputs: [],
    hangs: 0,
    heapFailures: 0,
    maxMs: 0,
    maxIndex: -1,
    p99Ms: 0,
    totalMs: 0,
    perFormat: {},
    failures: [],
  };
  const times: number[] = [];
  const pools = linePools();
  const fail = (index: number, kind: Failure['kind'], message: string, ms?: number): void => {
    const input = fuzzInput(o.seed, index, pools);
    if (report.failures.length < 50)
      report.failures.push({ index, format: input.format.id, kind, message, ms, input: JSON.stringify(input.text) });
  };
  let next = 0;
  while (next < o.count) {
    // Shared cell: the index the worker is on, so the watchdog knows what hung without a message round trip; -1
    // while the worker starts (loading the modules takes seconds on a loaded machine and is no input's fault).
    const current = new Int32Array(new SharedArrayBuffer(4));
    Atomics.store(current, 0, -1);
    const from = next;
    const worker = new Worker(WORKER, {
      workerData: { seed: o.seed, from, to: o.count, current, slowMs, pools },
      resourceLimits: { maxOldGenerationSizeMb: o.heapMb ?? 512 },
    });
    next = await new Promise<number>((resolve) => {
      let last = Atomics.load(current, 0);
      let since = Date.now();
      let settled = false;
      const finish = (n: number): void => {
        if (settled) return;
        settled = true;
        clearInterval(watchdog);
        resolve(n);
      };
      const watchdog = setInterval(() => {
        const at = Atomics.load(current, 0);
        if (at !== last) {
          last = at;
          since = Date.now();
        } else if (at === -1 && Date.now() - since > STARTUP_MS) {
          report.hangs++;
          fail(from, 'hang', `the worker did not start within ${STARTUP_MS} ms`);
          void worker.terminate();
          finish(from + 1);
        } else if (at !== -1 && Date.now() - since > hangMs) {
          report.hangs++;
          fail(at, 'hang', `no result after ${hangMs} ms`);
          void worker.terminate();
          finish(at + 1);
        }
      }, 50);
      worker.on('message', (m: ({ index: number; format: string; error?: string } & Outcome) | { end: number }) => {
        if ('end' in m) return finish(m.end);
        report.done++;
        report.totalMs += m.ms;
        times.push(m.ms);
        report.perFormat[m.format] = (report.perFormat[m.format] ?? 0) + 1;
        if (m.ms > report.maxMs) {
          report.maxMs = m.ms;
          report.maxIndex = m.index;
        }
        if (m.error) {
          report.exceptions++;
          fail(m.index, 'exception', m.error, m.ms);
        }
        if (m.internal) {
          report.internalErrors++;
          fail(m.index, 'internal', m.internal, m.ms);
        }
        if (m.firstMs !== undefined && report.retimed++ < 50)
          report.retimedInputs.push({ index: m.index, format: m.format, firstMs: m.firstMs, ms: m.ms });
        if (m.ms > slowMs) {
          report.slow++;
          fail(m.index, 'slow', `${m.firstMs?.toFixed(0)} ms, then ${m.ms.toFixed(0)} ms`, m.ms);
        }
        if (report.done % 1000 === 0) o.onProgress?.(report.done, report);
      });
      worker.on('error', (e) => {
        // Out of heap (ERR_WORKER_OUT_OF_MEMORY) or anything else that kills the worker: blame the current input.
        const at = Math.max(Atomics.load(current, 0), from);
        report.heapFailures++;
        fail(at, 'heap', (e as Error).message);
        finish(at + 1);
      });
      worker.on('exit', () => finish(o.count));
    });
  }
  times.sort((a, b) => a - b);
  report.p99Ms = times[Math.floor(times.length * 0.99)] ?? 0;
  return report;
}

/** The worker side: runs its range and posts one message per input. */
export function workerMain(
  data: { seed: number; from: number; to: number; current: Int32Array; slowMs: number; pools?: ReturnType<typeof linePools> },
  post: (m: unknown) => void,
): void {
  const pools = data.pools ?? linePools();
  for (let i = data.from; i < data.to; i++) {
    Atomics.store(data.current, 0, i);
    const input = fuzzInput(data.seed, i, pools);
    try {
      let outcome = exercise(input);
      // Eight processes share two cores here: a stall of the machine is not a slow input, so a slow one runs again
      // and counts as slow only if the second run is slow too (both times are reported).
      if (outcome.ms > data.slowMs) outcome = { ...outcome, ms: Math.min(outcome.ms, exercise(input).ms), firstMs: outcome.ms };
      post({ index: i, format: input.format.id, ...outcome });
    } catch (e) {
      post({ index: i, format: input.format.id, ms: 0, error: ((e as Error).stack ?? String(e)).split('\n').slice(0, 4).join(' | ') });
    }
  }
  post({ end: data.to });
}
