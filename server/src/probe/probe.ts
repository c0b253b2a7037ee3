/**
 * The probe engine: resolves the host once, then runs TCP connect and UDP probes with bounded concurrency,
 * progress events and cancellation that stops at once and closes every socket.
 */
import * as dns from 'node:dns/promises';
import type * as dgram from 'node:dgram';
import * as net from 'node:net';
import { tcpAttempt, type Attempt } from './tcp';
import { DEFAULTS, MAX_PORTS, type PortSpec, type ProbeOptions, type ProbeProgress, type ProbeResult } from './types';
import { udpAttempt } from './udp';

export class ProbeError extends Error {}

export interface ProbeRun {
  target: string;
  address: string;
  results: ProbeResult[];
  cancelled: boolean;
}

/** Open sockets of all runs in this process; tests read it to check that cancellation closes everything. */
export const openSockets = { tcp: new Set<net.Socket>(), udp: new Set<dgram.Socket>() };

export async function resolveTarget(host: string): Promise<string> {
  if (net.isIP(host)) return host;
  try {
    // Resolve once and probe that address; Node's autoSelectFamily would otherwise merge failures.
    return (await dns.lookup(host)).address;
  } catch (e) {
    throw new ProbeError(`cannot resolve ${host}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export async function probe(host: string, ports: PortSpec[], options: Partial<ProbeOptions> = {}, hooks: { signal?: AbortSignal; onProgress?: (p: ProbeProgress) => void } = {}): Promise<ProbeRun> {
  const opts = { ...DEFAULTS, ...options };
  if (ports.length > MAX_PORTS) throw new ProbeError(`at most ${MAX_PORTS} ports per run (got ${ports.length})`);
  if (!(opts.timeoutMs > 0) || !(opts.concurrency > 0)) throw new ProbeError('timeout and concurrency must be positive');
  const address = await resolveTarget(host);
  const results: ProbeResult[] = new Array(ports.length);
  const live = new Set<Attempt>();
  let next = 0;
  let done = 0;
  let cancelled = false;
  const onAbort = (): void => {
    cancelled = true;
    for (const a of live) a.cancel();
  };
  hooks.signal?.addEventListener('abort', onAbort, { once: true });
  if (hooks.signal?.aborted) onAbort();
  const worker = async (): Promise<void> => {
    while (!cancelled && next < ports.length) {
      const i = next++;
      const { port, protocol } = ports[i];
      let result: ProbeResult | undefined;
      // Silent TCP ports are retried: one lost SYN should not make an open port look filtered.
      for (let attempt = 0; attempt <= (protocol === 'tcp' ? opts.retries : 0) && !cancelled; attempt++) {
        const a = protocol === 'tcp' ? tcpAttempt(address, port, opts.timeoutMs, opts.banner, openSockets.tcp) : udpAttempt(address, port, opts.timeoutMs, opts.retries, openSockets.udp);
        live.add(a);
        result = await a.promise;
        live.delete(a);
        if (result.reason !== 'no-response') break;
      }
      if (cancelled || !result) return;
      results[i] = result;
      done++;
      hooks.onProgress?.({ done, total: ports.length, last: result });
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency, ports.length) }, worker));
  hooks.signal?.removeEventListener('abort', onAbort);
  return { target: host, address, results: results.filter(Boolean), cancelled };
}

/** "Everything open within a millisecond" is what a transparent proxy or middlebox looks like. */
export function looksProxied(results: ProbeResult[]): boolean {
  const tcp = results.filter((r) => r.protocol === 'tcp');
  return tcp.length >= 20 && tcp.every((r) => r.state === 'open');
}
