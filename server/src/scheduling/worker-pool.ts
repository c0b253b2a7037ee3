/**
 * One analysis worker thread, used for large documents. Jobs run one at a time; a job for a document replaces
 * that document's queued job, and when the running job is superseded the worker is terminated (the work stops
 * mid-way) and a fresh one takes the next job. A heap limit turns a runaway analysis into an error. A worker left
 * without work for `idleMs` is stopped, which gives back its memory (its heap holds the last analysis's garbage and
 * whatever it keeps between jobs); the next job starts a fresh one.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { WorkspaceRole } from '../analysis/docker-bypass';
import type { Finding } from '../model/finding';
import nodeFlags from '../node-flags.json';

/**
 * The worker's young generation, the size the server's own flags give the main thread (server/src/node-flags.json): V8's
 * young generation is three semi-spaces (two, and as much again for new large objects).
 */
const YOUNG_MB = 3 * Number(/^--max-semi-space-size=(\d+)$/.exec(nodeFlags.server.find((f) => f.startsWith('--max-semi-space-size=')) ?? '')?.[1] ?? 16);

export interface WorkerJob {
  id: number;
  /** The document (its URI): the worker keeps what the next analysis of it can reuse. */
  key: string;
  text: string;
  formatId: string;
  path: string;
  /** Settings as the user wrote them (resolved again in the worker). */
  settings: unknown;
  /** The IPv4 sibling's text, read by the caller (the worker does no editor-buffer lookups). */
  sibling?: { path: string; text: string };
  /**
   * The editor's open buffers in the document's folder (a compose file's `.env` and override, a manifest's
   * neighbours): they win over the disk, where the worker reads the other files beside the document.
   */
  beside?: { path: string; text: string }[];
}

/** The findings, and how the file takes part in the workspace checks (the server runs those: they read other files). */
export interface WorkerResult {
  findings: Finding[];
  role: WorkspaceRole;
  /** The other files the format read (for re-checks when they change), as on the server's thread. */
  reads: string[];
}

export type WorkerReply = ({ id: number } & WorkerResult) | { id: number; error: string };

/** Resolves when a job is superseded before it finished. */
export const SUPERSEDED = Symbol('superseded');

interface Pending {
  key: string;
  job: WorkerJob;
  resolve(r: WorkerResult | typeof SUPERSEDED): void;
  reject(e: Error): void;
}

export class WorkerPool {
  private worker: Worker | undefined;
  private running: Pending | undefined;
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    // Beside this code: dist/ for the bundle (esbuild.mjs builds the worker there), out/…/scheduling/ for tsc.
    private readonly script = path.join(__dirname, 'analysis-worker.js'),
    private readonly heapMb = 1024,
    private readonly idleMs = 30_000,
  ) {}

  /** Analyses in the worker; `key` (the document URI) names the job that a later one for the same key replaces. */
  analyse(key: string, job: Omit<WorkerJob, 'id' | 'key'>): Promise<WorkerResult | typeof SUPERSEDED> {
    this.cancel(key);
    return new Promise((resolve, reject) => {
      this.queue.push({ key, job: { ...job, id: this.nextId++, key }, resolve, reject });
      this.pump();
    });
  }

  /** Drops the queued job for `key` and stops the running one. */
  cancel(key: string): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (this.queue[i].key === key) this.queue.splice(i, 1)[0].resolve(SUPERSEDED);
    }
    if (this.running?.key === key) {
      const r = this.running;
      this.running = undefined;
      this.stopWorker();
      r.resolve(SUPERSEDED);
      this.pump();
    }
  }

  /** Whether no job is queued or running. */
  idle(): boolean {
    return !this.running && !this.queue.length;
  }

  /** Whether a job for `key` is queued or running. */
  busy(key: string): boolean {
    return this.running?.key === key || this.queue.some((p) => p.key === key);
  }

  dispose(): void {
    for (const p of this.queue.splice(0)) p.resolve(SUPERSEDED);
    this.running?.resolve(SUPERSEDED);
    this.running = undefined;
    this.stopWorker();
  }

  private stopWorker(): void {
    clearTimeout(this.idleTimer);
    const w = this.worker;
    this.worker = undefined;
    if (w) {
      w.removeAllListeners();
      w.on('error', () => undefined);
      void w.terminate();
    }
  }

  private start(): Worker {
    const w = new Worker(this.script, { resourceLimits: { maxOldGenerationSizeMb: this.heapMb, maxYoungGenerationSizeMb: YOUNG_MB } });
    w.unref();
    w.on('message', (reply: WorkerReply) => {
      const r = this.running;
      if (!r || r.job.id !== reply.id) return;
      this.running = undefined;
      if ('error' in reply) r.reject(new Error(reply.error));
      else r.resolve({ findings: reply.findings, role: reply.role, reads: reply.reads });
      this.pump();
    });
    const fail = (e: Error): void => {
      const r = this.running;
      this.running = undefined;
      this.stopWorker();
      r?.reject(e);
      this.pump();
    };
    w.on('error', fail);
    w.on('exit', (code) => {
      if (this.worker === w) fail(new Error(`analysis worker exited (code ${code})`));
    });
    return w;
  }

  /** Whether a worker thread exists now (started and not yet stopped). */
  get started(): boolean {
    return this.worker !== undefined;
  }

  private pump(): void {
    clearTimeout(this.idleTimer);
    if (this.running) return;
    if (!this.queue.length) {
      if (this.worker) this.idleTimer = setTimeout(() => this.stopWorker(), this.idleMs).unref();
      return;
    }
    this.running = this.queue.shift()!;
    this.worker ??= this.start();
    this.worker.postMessage(this.running.job);
  }
}
