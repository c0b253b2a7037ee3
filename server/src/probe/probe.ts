/**
 * The probe engine: resolves the host once, then runs TCP connect and UDP probes with bounded concurrency,
 * progress events and cancellation that stops at once and closes every socket.
 */
import * as dns from 'node:dns/promises';
import type * as dgram from 'node:dgram';
import * as net from 'node:net';
import { tcpAttempt, type Attempt } from './tcp';
import {
  DEFAULTS,
  LOCAL_ERRORS,
  LocalSocketError,
  MAX_PORTS,
  type PortSpec,
  type ProbeOptions,
  type ProbeProgress,
  type ProbeResult,
} from './types';
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

/** Answers whose timing is a true round trip to the host (ICMP "host unreachable" may come after ARP gave up). */
const ROUND_TRIPS = new Set(['syn-ack', 'conn-refused', 'udp-response', 'port-unreach']);

/**
 * Smoothed round-trip time and its variation, kept as TCP keeps them for its retransmission timer
 * (RFC 6298): a silent port is given up after srtt + 4 * rttvar rather than after a fixed worst case.
 */
export class RttEstimator {
  private srtt = 0;
  private rttvar = 0;
  samples = 0;

  sample(ms: number): void {
    const r = Math.max(0, ms);
    if (this.samples++ === 0) {
      this.srtt = r;
      this.rttvar = r / 2;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - r);
      this.srtt = 0.875 * this.srtt + 0.125 * r;
    }
  }

  /** The wait for a silent port: the maximum until something has been measured, then srtt + 4 * rttvar within [min, max]. */
  timeout(minMs: number, maxMs: number): number {
    if (!this.samples) return maxMs;
    return Math.min(maxMs, Math.max(minMs, Math.ceil(this.srtt + 4 * this.rttvar)));
  }
}

export async function probe(
  host: string,
  ports: PortSpec[],
  options: Partial<ProbeOptions> = {},
  hooks: { signal?: AbortSignal; onProgress?: (p: ProbeProgress) => void } = {},
): Promise<ProbeRun> {
  const opts = { ...DEFAULTS, ...options };
  if (ports.length > MAX_PORTS) throw new ProbeError(`at most ${MAX_PORTS} ports per run (got ${ports.length})`);
  if (!(opts.timeoutMs > 0) || !(opts.concurrency > 0)) throw new ProbeError('timeout and concurrency must be positive');
  const minTimeoutMs = options.minTimeoutMs ?? DEFAULTS.minTimeoutMs;
  if (!(minTimeoutMs >= 0)) throw new ProbeError('minimum timeout must not be negative');
  const address = await resolveTarget(host);
  const results: ProbeResult[] = new Array(ports.length);
  const live = new Set<Attempt>();
  // Attempts started before any round trip was measured wait the maximum; they are shortened once one is.
  const provisional = new Set<Attempt>();
  const rtt = new RttEstimator();
  const floor = Math.min(minTimeoutMs, opts.timeoutMs);
  const timeout = (): number => rtt.timeout(floor, opts.timeoutMs);
  const bannerMs = opts.banner ? Math.min(300, opts.timeoutMs) : 0;
  let next = 0;
  let done = 0;
  let cancelled = false;
  let failure: Error | undefined;
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
      // Silent TCP ports are retried (with the current adaptive wait): one lost SYN should not make an open port look filtered.
      for (let attempt = 0; attempt <= (protocol === 'tcp' ? opts.retries : 0) && !cancelled; attempt++) {
        let a: Attempt | undefined;
        try {
          a =
            protocol === 'tcp'
              ? tcpAttempt(address, port, timeout, bannerMs, openSockets.tcp)
              : udpAttempt(address, port, timeout, opts.retries, openSockets.udp);
          live.add(a);
          if (!rtt.samples) provisional.add(a);
          result = await a.promise;
        } catch (e) {
          // The machine ran out of something (descriptors, buffers): stop the whole run rather than guess.
          const code = (e as NodeJS.ErrnoException).code;
          failure ??= e instanceof LocalSocketError ? e : code && code in LOCAL_ERRORS ? new LocalSocketError(code) : (e as Error);
          onAbort();
          return;
        } finally {
          if (a) {
            live.delete(a);
            provisional.delete(a);
          }
        }
        if (ROUND_TRIPS.has(result.reason)) {
          rtt.sample(result.latencyMs);
          for (const p of provisional) p.retime();
          provisional.clear();
        }
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
  if (failure) {
    const done = results.filter(Boolean).length;
    throw new ProbeError(
      `probing stopped after ${done} of ${ports.length} ports: ${failure.message} on this machine; lower the concurrency (now ${opts.concurrency}) or raise the open-file limit (ulimit -n)`,
    );
  }
  let out = results.filter(Boolean);
  // Linux reports every ICMP unreachable code a firewall sends (admin-prohibited, host-prohibited, ...) as
  // EHOSTUNREACH. When the same host answered other ports in this run it is reachable, so a per-port
  // "host unreachable" is a firewall rejecting that port. (Copies: progress handlers hold the originals.)
  if (out.some((r) => ROUND_TRIPS.has(r.reason)))
    out = out.map((r) => (r.reason === 'host-unreach' ? { ...r, reason: 'icmp-prohibited' } : r));
  return { target: host, address, results: out, cancelled };
}

/** "Everything open within a millisecond" is what a transparent proxy or middlebox looks like. */
export function looksProxied(results: ProbeResult[]): boolean {
  const tcp = results.filter((r) => r.protocol === 'tcp');
  return tcp.length >= 20 && tcp.every((r) => r.state === 'open');
}
