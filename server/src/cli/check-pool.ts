/**
 * `portcullis check` over many files on several threads: the main thread and worker threads (cli/check-worker.ts)
 * analyse at once, and the results are handed back in input order, so the output is byte for byte the serial one.
 *
 * Inputs are taken in windows of up to WINDOW_FILES files. In a window the workers take files from the largest down
 * and the main thread from the smallest up, until they meet: the large files start first (nothing large is left to
 * run alone at the end), a worker always has a file queued, and the main thread, busy with short files only, soon
 * gets back to feeding the workers and writing results. The main thread counts as one of the threads: it has the
 * code loaded and warm already, while every worker loads and optimises the analysis anew in its own heap.
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
type FileInput = Input & { kind: 'file' };

/** Files queued per worker: one running and one waiting, so a worker never waits for the main thread. */
const IN_FLIGHT_PER_WORKER = 2;
/**
 * Analysis cost as measured on the corpus (bench/repo.mjs's repository: about 1 ms per KB for small service files,
 * 2 ms per KB for large rulesets, plus a little per file). A worker pays once the work ahead is well above its
 * start-up (it loads the analysis, about 0.3 s of CPU) and the CPU it costs to optimise the code again.
 */
const COST = { perFileMs: 0.5, perKbMs: 1.5 };
const PAYS_MS = 1000;
/** The most inputs held at once: the first output waits for a window to be planned, and results wait for their turn. */
const WINDOW_FILES = 1000;

/** The machine as the pool sees it: cores, and the 1-minute load average (work already waiting for them). */
export interface Machine {
  cores: number;
  load: number;
}
const thisMachine = (): Machine => ({ cores: os.availableParallelism(), load: os.loadavg()[0] });

/**
 * How many worker threads to start beside the main thread for these inputs (0 = the main thread alone) and the
 * inputs to use, the look-ahead included. `jobs` is --jobs, the number of threads that analyse: 1 forces the serial
 * path, N forces N - 1 workers. Otherwise one thread per two idle cores, when the work ahead is worth a worker's start.
 */
export function planWorkers(
  all: Iterable<Input>,
  jobs: number | undefined,
  machine: Machine = thisMachine(),
): { workers: number; inputs: Iterable<Input> } {
  if (jobs !== undefined) return { workers: jobs - 1, inputs: all };
  // An analysing thread keeps about two cores busy: V8's own threads (garbage collection, optimising compiles) use
  // nearly as much CPU as the thread itself (1,000-file repo, serial: main 8.9 s, V8's threads 11.1 s). So threads
  // are counted per pair of idle cores; on two cores a worker only slows the run (bench/repo.mjs: 8.6 s vs 8.0 s).
  const idle = Math.min(machine.cores, Math.round(machine.cores - machine.load));
  const threads = Math.floor(idle / 2);
  if (threads < 2) return { workers: 0, inputs: all };
  const it = all[Symbol.iterator]();
  const seen: Input[] = [];
  let files = 0;
  let estimate = 0;
  for (let next = it.next(); !next.done; next = it.next()) {
    seen.push(next.value);
    if (next.value.kind !== 'file') continue;
    files++;
    estimate += cost(next.value);
    if (estimate >= PAYS_MS || files >= WINDOW_FILES) break;
  }
  const rest = { [Symbol.iterator]: () => it };
  const inputs = (function* () {
    yield* seen;
    yield* rest;
  })();
  return { workers: estimate >= PAYS_MS && files >= 2 ? Math.min(threads, files) - 1 : 0, inputs };
}

/** Estimated analysis time of a file, from its size. */
function cost(input: FileInput): number {
  let size = 0;
  try {
    size = fs.statSync(input.path).size;
  } catch {
    // Reading it will report why.
  }
  return COST.perFileMs + (size / 1024) * COST.perKbMs;
}

/** What a check report prints of a finding: all that crosses a thread boundary, or is kept until its turn. */
export const reported = (shown: Finding[]): Finding[] =>
  shown.map(({ code, severity, message, range }) => ({ code, severity, message, range }));

export interface PoolOptions {
  /** The main thread's own analysis; without it only the workers analyse. */
  here?: (input: FileInput) => Checked;
  /** The worker's script: beside this code, dist/ for the bundle (esbuild.mjs builds it there), out/…/cli/ for tsc. */
  script?: string;
}

/** Each input with, for files, what its thread found; in input order. */
export async function* checkInParallel(
  all: Iterable<Input>,
  workers: number,
  setup: PoolSetup,
  { here, script = path.join(__dirname, 'check-worker.js') }: PoolOptions = {},
): AsyncGenerator<{ input: Input; result?: Checked }> {
  const pool = Array.from({ length: workers }, () => startWorker(script, setup));
  try {
    for (const window of windows(all)) yield* checkWindow(window, pool, here);
  } finally {
    await Promise.all(pool.map((w) => w.worker.terminate()));
  }
}

function* windows(all: Iterable<Input>): Generator<Input[]> {
  let window: Input[] = [];
  let files = 0;
  for (const input of all) {
    window.push(input);
    if (input.kind === 'file' && ++files === WINDOW_FILES) {
      yield window;
      window = [];
      files = 0;
    }
  }
  if (window.length) yield window;
}

/** A file's result: settled (value or failure) or awaited. */
interface Slot {
  done: boolean;
  value?: Checked;
  promise?: Promise<Checked>;
}

async function* checkWindow(
  window: Input[],
  pool: PoolWorker[],
  here: PoolOptions['here'],
): AsyncGenerator<{ input: Input; result?: Checked }> {
  const files = window.flatMap((input, at) => (input.kind === 'file' ? [{ input, at, cost: cost(input) }] : []));
  // Largest first; equal costs in input order.
  files.sort((a, b) => b.cost - a.cost || a.at - b.at);
  const slots: Slot[] = [];
  let front = 0;
  let back = files.length;
  let wake: (() => void) | undefined;
  const feed = (): void => {
    for (const w of pool) {
      while (w.pending.size < IN_FLIGHT_PER_WORKER && front < back && !w.failed()) {
        const { input, at } = files[front++];
        const slot: Slot = { done: false, promise: w.run({ seq: at, path: input.path, formatId: input.format.id }) };
        const settle = (value?: Checked): void => {
          Object.assign(slot, { done: true, value });
          feed();
          wake?.();
        };
        slot.promise!.then(settle, () => settle());
        slots[at] = slot;
      }
    }
  };
  // Without a main-thread analysis, workers must exist and take every file.
  if (!here && !pool.length) throw new Error('no thread to analyse on');
  feed();
  for (let at = 0; at < window.length; ) {
    const input = window[at];
    if (input.kind !== 'file') {
      yield { input };
      at++;
      continue;
    }
    const slot = slots[at];
    if (slot?.done) {
      delete slots[at];
      // A failed worker's promise rejects here, in input order.
      yield { input, result: slot.value ?? (await slot.promise!) };
      at++;
    } else if (here && front < back) {
      const mine = files[--back];
      slots[mine.at] = { done: true, value: here(mine.input) };
      // Lets the workers' replies in before the next file, so they are fed while the main thread works.
      await new Promise<void>((resolve) => setImmediate(resolve));
    } else if (slot) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (slot.done) resolve();
      });
      wake = undefined;
    } else {
      // Every worker failed before taking this file, and the main thread does not analyse.
      throw pool.find((w) => w.failed())?.failed() ?? new Error('a file was never analysed');
    }
  }
}

type PoolWorker = ReturnType<typeof startWorker>;

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
    failed: (): Error | undefined => failure,
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
