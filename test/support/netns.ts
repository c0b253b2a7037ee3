/**
 * A probe lab: two network namespaces joined by a veth pair. The target side (10.78.0.1/24) runs TCP
 * listeners and UDP responders behind an iptables ruleset; the prober side (10.78.0.2/24) runs the compiled
 * probe engine (out/) or nmap. Neither namespace has a route beyond the /24, so probes from the prober can
 * only reach the target. Follows the pattern of kernel.ts's Lab; uses 10.78.x so both can run at once.
 * Needs Linux, root, `ip` and `iptables-restore`.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { VethLab, labUnavailable } from './veth-lab';

export const TARGET_ADDR = '10.78.0.1';
export const PROBER_ADDR = '10.78.0.2';

/** The compiled engine, next to this file's compiled copy in out/. */
const ENGINE = path.resolve(__dirname, '../../server/src/probe/probe.js');

/** Why the lab cannot run here, or undefined when it can. */
export function netnsUnavailable(): string | undefined {
  return labUnavailable('the probe lab', ['iptables-restore']);
}

const RESPONDER = `
const net = require('net'), dgram = require('dgram');
const { tcp, udp } = JSON.parse(process.argv[1]);
let pending = tcp.length + udp.length;
const ready = () => { if (--pending === 0) process.stdout.write('ready\\n'); };
const fail = (what) => (e) => { process.stderr.write(what + ' ' + e.message + '\\n'); process.exit(1); };
for (const p of tcp) {
  const s = net.createServer((c) => { c.on('error', () => {}); c.end(); });
  s.on('error', fail('tcp ' + p));
  s.listen({ port: p, host: '0.0.0.0', backlog: 1024 }, ready);
}
for (const p of udp) {
  const u = dgram.createSocket('udp4');
  u.on('message', (m, r) => u.send('pong', r.port, r.address));
  u.on('error', fail('udp ' + p));
  u.bind(p, '0.0.0.0', ready);
}
if (!pending) process.stdout.write('ready\\n');
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

const RUNNER = `
const { probe, openSockets } = require(process.argv[1]);
const { host, ports, options, abortAfterMs } = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const ac = new AbortController();
let abortedAt;
if (abortAfterMs !== undefined) setTimeout(() => { abortedAt = performance.now(); ac.abort(); }, abortAfterMs);
const t = performance.now();
probe(host, ports, options, { signal: ac.signal }).then(
  (run) => {
    const now = performance.now();
    const stopMs = abortedAt === undefined ? undefined : now - abortedAt;
    process.stdout.write(JSON.stringify({ run, elapsedMs: now - t, stopMs, openSockets: openSockets.tcp.size + openSockets.udp.size }));
  },
  (e) => { process.stderr.write(String(e && e.message)); process.exit(1); });
`;

/**
 * argv that runs the compiled engine: reads {host, ports, options, abortAfterMs?} on stdin, prints
 * {run, elapsedMs, stopMs (abort to return), openSockets (left after return)}.
 */
export function engineArgv(): string[] {
  if (!fs.existsSync(ENGINE)) throw new Error(`${ENGINE} missing: run npx tsc -p . first`);
  return [process.execPath, '-e', RUNNER, ENGINE];
}

export interface Ran {
  stdout: string;
  /** Wall-clock time of the whole process, start-up included. */
  wallMs: number;
}

/** Runs argv inside a namespace, killed after timeoutMs; rejects on a non-zero exit. */
export function runIn(ns: string, argv: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('ip', ['netns', 'exec', ns, ...argv], {
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: opts.timeoutMs ?? 30_000,
      killSignal: 'SIGKILL',
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const wallMs = performance.now() - started;
      if (code === 0) resolve({ stdout: out, wallMs });
      else reject(new Error(`${argv[0]} in ${ns} ${signal ? `killed (${signal})` : `exited ${code}`}: ${err.trim()}`));
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** What the engine child reports; wallMs is its whole process, exit included. */
export interface EngineRun {
  run: {
    address: string;
    results: { port: number; protocol: string; state: string; reason: string; latencyMs: number }[];
    cancelled: boolean;
  };
  elapsedMs: number;
  stopMs?: number;
  openSockets: number;
  wallMs: number;
}

export class ProbeLab extends VethLab {
  constructor(tag = String(process.pid)) {
    // Interface names are at most 15 characters.
    const short = tag.slice(-8);
    super({ ns: `pc-pt-${tag}`, dev: `ptt${short}`, addr: TARGET_ADDR }, { ns: `pc-pp-${tag}`, dev: `ptp${short}`, addr: PROBER_ADDR });
  }

  get target(): string {
    return this.a.ns;
  }

  get prober(): string {
    return this.b.ns;
  }

  override setup(): void {
    super.setup();
    try {
      // The kernel rate-limits ICMP errors per destination; the tests count on every unreachable being sent.
      this.inNs(this.a, 'sysctl', '-q', '-w', 'net.ipv4.icmp_ratelimit=0');
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** Starts TCP listeners and UDP responders (reply "pong") in the target namespace, replacing earlier ones. */
  listen(tcp: number[], udp: number[] = []): Promise<void> {
    return this.startScript(this.a, RESPONDER, JSON.stringify({ tcp, udp }));
  }

  /** Loads an iptables-restore file into the target namespace; throws with iptables' message on error. */
  firewall(rules: string): void {
    const r = spawnSync('ip', ['netns', 'exec', this.target, 'iptables-restore'], { input: rules, encoding: 'utf8', timeout: 10_000 });
    if (r.status !== 0) throw new Error(`iptables-restore: ${r.stderr || `exit ${r.status}`}`);
  }

  /** Runs the compiled probe engine inside the prober namespace against the target. */
  async probe(
    ports: { port: number; protocol: 'tcp' | 'udp' }[],
    options: Record<string, unknown> = {},
    extra: { abortAfterMs?: number; timeoutMs?: number } = {},
  ): Promise<EngineRun> {
    const r = await runIn(this.prober, engineArgv(), {
      input: JSON.stringify({ host: TARGET_ADDR, ports, options, abortAfterMs: extra.abortAfterMs }),
      timeoutMs: extra.timeoutMs ?? 30_000,
    });
    return { ...JSON.parse(r.stdout), wallMs: r.wallMs };
  }
}
