/** One TCP connect probe: connected = open, RST = closed, ICMP errors or silence = filtered. */
import * as net from 'node:net';
import { LOCAL_ERRORS, LocalSocketError, type ProbeResult } from './types';

/** Socket errors and what they mean for the port. */
const ERRORS: Record<string, Pick<ProbeResult, 'state' | 'reason'>> = {
  ECONNREFUSED: { state: 'closed', reason: 'conn-refused' },
  EHOSTUNREACH: { state: 'filtered', reason: 'host-unreach' },
  ENETUNREACH: { state: 'unreachable', reason: 'net-unreach' },
  EACCES: { state: 'filtered', reason: 'admin-prohibited' },
  EPERM: { state: 'filtered', reason: 'admin-prohibited' },
  ETIMEDOUT: { state: 'filtered', reason: 'no-response' },
};

export interface Attempt {
  promise: Promise<ProbeResult>;
  cancel(): void;
  /** Re-reads the wait for silence (the engine shortens it once the first round trip is measured). */
  retime(): void;
}

/**
 * `timeout` is read when the attempt starts and again on retime(), so an attempt started before any round
 * trip was measured does not keep the worst-case wait. `bannerMs` 0 skips the banner wait.
 */
export function tcpAttempt(address: string, port: number, timeout: () => number, bannerMs: number, track: Set<net.Socket>): Attempt {
  const started = performance.now();
  const socket = new net.Socket();
  track.add(socket);
  let settle: (r: ProbeResult) => void = () => undefined;
  let fail: (e: LocalSocketError) => void = () => undefined;
  const promise = new Promise<ProbeResult>((resolve, reject) => ([settle, fail] = [resolve, reject]));
  let done = false;
  let connecting = true;
  let timer: NodeJS.Timeout | undefined;
  let grab: NodeJS.Timeout | undefined;
  const finish = (r: Omit<ProbeResult, 'port' | 'protocol' | 'latencyMs'>, latency = performance.now() - started): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    clearTimeout(grab);
    socket.destroy();
    track.delete(socket);
    settle({ port, protocol: 'tcp', latencyMs: Math.round(latency * 10) / 10, ...r });
  };
  // setTimeout on a socket only reports; a timer of our own ends the attempt, counted from the SYN.
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => finish({ state: 'filtered', reason: 'no-response' }), Math.max(0, started + timeout() - performance.now()));
  };
  arm();
  socket.once('connect', () => {
    const latency = performance.now() - started;
    connecting = false;
    clearTimeout(timer);
    if (!bannerMs) return finish({ state: 'open', reason: 'syn-ack' }, latency);
    // Many services greet first (SSH, SMTP, FTP): wait briefly for the first bytes, never required.
    grab = setTimeout(() => finish({ state: 'open', reason: 'syn-ack' }, latency), bannerMs);
    socket.once('data', (d: Buffer) => {
      finish({ state: 'open', reason: 'syn-ack', banner: d.toString('latin1').slice(0, 120).replace(/[^\x20-\x7e]+/g, ' ').trim() }, latency);
    });
  });
  socket.once('error', (e: NodeJS.ErrnoException) => {
    if (e.code && e.code in LOCAL_ERRORS) {
      fail(new LocalSocketError(e.code)); // first: the promise rejects, finish() only cleans up
      finish({ state: 'filtered', reason: e.code });
    } else finish(ERRORS[e.code ?? ''] ?? { state: 'filtered', reason: e.code ?? 'error' });
  });
  socket.connect({ host: address, port });
  return {
    promise,
    cancel: () => finish({ state: 'filtered', reason: 'cancelled' }),
    retime: () => {
      if (!done && connecting) arm();
    },
  };
}
