/**
 * One UDP probe on a connected socket: a reply = open; an ICMP port-unreachable (ECONNREFUSED on the
 * connected socket) = closed; silence after retries = open|filtered (UDP cannot tell them apart).
 */
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { payloadFor } from './payloads';
import { LOCAL_ERRORS, LocalSocketError, type ProbeResult } from './types';
import type { Attempt } from './tcp';

/**
 * `timeout` is read for every datagram sent and again on retime(). latencyMs counts from the last datagram
 * sent, so an answer to a retry reports its own round trip rather than the waits before it.
 */
export function udpAttempt(address: string, port: number, timeout: () => number, retries: number, track: Set<dgram.Socket>): Attempt {
  const socket = dgram.createSocket(net.isIPv6(address) ? 'udp6' : 'udp4');
  track.add(socket);
  let settle: (r: ProbeResult) => void = () => undefined;
  let fail: (e: LocalSocketError) => void = () => undefined;
  const promise = new Promise<ProbeResult>((resolve, reject) => ([settle, fail] = [resolve, reject]));
  const local = (code: string | undefined): boolean => {
    if (!code || !(code in LOCAL_ERRORS)) return false;
    fail(new LocalSocketError(code)); // first: the promise rejects, finish() only cleans up
    finish({ state: 'filtered', reason: code });
    return true;
  };
  let done = false;
  let timer: NodeJS.Timeout | undefined;
  let sentAt = performance.now();
  let sent = 0;
  const finish = (r: Pick<ProbeResult, 'state' | 'reason'> & { banner?: string }): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    try {
      socket.close();
    } catch {
      /* already closed */
    }
    track.delete(socket);
    settle({ port, protocol: 'udp', latencyMs: Math.round((performance.now() - sentAt) * 10) / 10, ...r });
  };
  const payload = payloadFor(port);
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(
      () => (sent <= retries ? send() : finish({ state: 'open|filtered', reason: 'no-response' })),
      Math.max(0, sentAt + timeout() - performance.now()),
    );
  };
  const send = (): void => {
    if (done) return;
    sent++;
    sentAt = performance.now();
    socket.send(payload, (err) => {
      if (err && !local((err as NodeJS.ErrnoException).code))
        finish({ state: 'filtered', reason: (err as NodeJS.ErrnoException).code ?? 'send-error' });
    });
    arm();
  };
  socket.on('message', (m) => finish({ state: 'open', reason: 'udp-response', banner: m.length ? `${m.length} bytes` : undefined }));
  socket.on(
    'error',
    (e: NodeJS.ErrnoException) =>
      local(e.code) ||
      finish(
        e.code === 'ECONNREFUSED'
          ? { state: 'closed', reason: 'port-unreach' }
          : e.code === 'EHOSTUNREACH' || e.code === 'EACCES'
            ? { state: 'filtered', reason: e.code === 'EACCES' ? 'admin-prohibited' : 'host-unreach' }
            : { state: 'filtered', reason: e.code ?? 'error' },
      ),
  );
  socket.connect(port, address, () => send());
  return {
    promise,
    cancel: () => finish({ state: 'open|filtered', reason: 'cancelled' }),
    retime: () => {
      if (!done && sent) arm();
    },
  };
}
