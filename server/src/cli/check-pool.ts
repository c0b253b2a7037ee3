/**
 * `portcullis check` over many files on worker threads (cli/check-worker.ts), with results handed back in input
 * order, so the output is byte for byte the serial one. At most a few files per worker are in flight, so memory
 * stays bounded however many files a run covers. Used only where it pays: idle cores, and enough bytes to
 * analyse that the workers' start-up (each loads the analysis) is won back.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Finding, Severity } from '../model/finding';
import type { Input } from './inputs';

export interface PoolSetup {
  /** --config, when given. */
  config?: string;
  min: Severity;
}
export interface CheckJob {
  seq: number;
  path: string;
  formatId: string;
}
export type Checked = { error: string } | { shown: Finding[] };
export type CheckReply = { seq: number } & (Checked | { internal: string });

/** Files in flight per worker: enough to keep each busy while the main thread writes, few enough to bound memory. */
const IN_FLIGHT_PER_WORKER = 4;
/**
 * Analysis cost as measured on the corpus (bench/repo.mjs's repository: about 1 ms per KB for small service files,
 * 2 ms per KB for large rulesets, plus a little per file). Workers pay once the work ahead is well above their
 * start-up (each loads the analysis, about 0.3 s of CPU) and the quarter more CPU they cost in all.
 */
const COST = { perFileMs: 0.5, perKbMs: 1.5 };
const PAYS_MS = 1000;
/** The most inputs held while deciding; the first output waits for the look-ahead. */
const LOOK_AHEAD_FILES = 1000;

/** The machine as the pool sees it: cores, and the 1-minute load average (work already waiting for them). */
export interface Machine {
  cores: number;
  load: number;
}
const thisMachine = (): Machine => ({ cores: os.availableParallelism(), load: os.loadavg()[0] });

/**
 * How many workers to use for these inputs (0 = analyse on the main thread) and the inputs to use, the
 * look-ahead included. `jobs` is --jobs: 1 forces the serial path, more forces that many workers. Otherwise a
 * worker per idle core: threads cost about a quarter more CPU in all (each loads and optimises the analysis
 * anew), which is won back only when cores would otherwise sit idle.
 */
export function planWorkers(
  all: Iterable<Input>,
  jobs: number | undefined,
  machine: Machine = thisMachine(),
): { workers: number; inputs: Iterable<Input> } {
  if (jobs !== undefined) return { workers: jobs > 1 ? jobs : 0, inputs: all };
  const idle = Math.min(machine.cores, Math.round(machine.cores - machine.load));
  if (idle < 2) return { workers: 0, inputs: all };
  const it = all[Symbol.iterator]();
  const seen: Input[] = [];
  let files = 0;
  let estimate = 0;
  for (let next = it.next(); !next.done; next = it.next()) {
    seen.push(next.value);
    if (next.value.kind !== 'file') continue;
    files++;
    estimate += COST.perFileMs + (sizeOf(next.value.path) / 1024) * COST.perKbMs;
    if (estimate >= PAYS_MS || files >= LOOK_AHEAD_FILES) break;
  }
  const rest = { [Symbol.iterator]: () => it };
  const inputs = (function* () {
    yield* seen;
    yield* rest;
  })();
  return { workers: estimate >= PAYS_MS && files >= 2 ? Math.min(idle, files) : 0, inputs };
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/** Each input with, for files, what its worker found; in input order. */
export async function* checkInParallel(
  all: Iterable<Input>,
  workers: number,
  setup: PoolSetup,
  // Beside this code: dist/ for the bundle (esbuild.mjs builds the worker there), out/…/cli/ for tsc.
  script = path.join(__dirname, 'check-worker.js'),
): AsyncGenerator<{ input: Input; result?: Checked }> {
  const pool = Array.from({ length: workers }, () => startWorker(script, setup));
  const queue: { input: Input; result?: Promise<Checked> }[] = [];
  let seq = 0;
  try {
    for (const input of all) {
      if (input.kind !== 'file') {
        queue.push({ input });
      } else {
        const w = pool.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
        queue.push({ input, result: w.run({ seq: seq++, path: input.path, formatId: input.format.id }) });
      }
      while (queue.length && (queue[0].result === undefined || queue.length > workers * IN_FLIGHT_PER_WORKER)) {
        const head = queue.shift()!;
        yield { input: head.input, result: head.result && (await head.result) };
      }
    }
    for (const head of queue) yield { input: head.input, result: head.result && (await head.result) };
  } finally {
    await Promise.all(pool.map((w) => w.worker.terminate()));
  }
}

function startWorker(script: string, setup: PoolSetup) {
  const worker = new Worker(script, { workerData: setup });
  const pending = new Map<number, { resolve(r: Checked): void; reject(e: Error): void }>();
  let failure: Error | undefined;
  const failAll = (e: Error): void => {
    failure ??= e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  worker.on('message', (reply: CheckReply) => {
    const p = pending.get(reply.seq);
    pending.delete(reply.seq);
    if ('internal' in reply) p?.reject(new Error(reply.internal));
    else p?.resolve(reply);
  });
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`analysis worker stopped (exit code ${code})`)));
  return {
    worker,
    pending,
    run(job: CheckJob): Promise<Checked> {
      // A worker that died takes no more jobs: a message to it would never be answered.
      const result = failure
        ? Promise.reject(failure)
        : new Promise<Checked>((resolve, reject) => pending.set(job.seq, { resolve, reject }));
      // Awaited in order later; a failure before then must not count as an unhandled rejection.
      result.catch(() => undefined);
      if (!failure) worker.postMessage(job);
      return result;
    },
  };
}
