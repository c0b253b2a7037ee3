/** Probe vocabulary, shared by the engine, the server command and the CLI. */
export type ProbeProtocol = 'tcp' | 'udp';

/** As a careful scanner reports it: a refused connection is closed; silence after retries is filtered. */
export type ProbeState = 'open' | 'closed' | 'filtered' | 'open|filtered' | 'unreachable';

export interface PortSpec {
  port: number;
  protocol: ProbeProtocol;
}

export interface ProbeOptions {
  /** The longest wait for a silent port; also the wait before any round trip has been measured. */
  timeoutMs: number;
  /**
   * The shortest wait: once answers arrive the wait adapts to the measured round trips (srtt + 4 * rttvar,
   * as TCP's retransmission timer), but never below this, so scheduling jitter cannot make live ports look
   * silent. Optional so existing callers that build a full ProbeOptions keep compiling.
   */
  minTimeoutMs?: number;
  concurrency: number;
  retries: number;
  banner: boolean;
}

export const DEFAULTS: Required<ProbeOptions> = { timeoutMs: 1000, minTimeoutMs: 100, concurrency: 100, retries: 1, banner: true };

/** A hard cap on ports per run: probing is for checking your own hosts, not for sweeping. */
export const MAX_PORTS = 4096;

export interface ProbeResult {
  port: number;
  protocol: ProbeProtocol;
  state: ProbeState;
  /**
   * Why: syn-ack, conn-refused, no-response, host-unreach, net-unreach, admin-prohibited (a local firewall), icmp-prohibited (the
   * host answers other ports, so an ICMP unreachable for this one is a firewall's reject), port-unreach, udp-response.
   */
  reason: string;
  latencyMs: number;
  banner?: string;
}

export interface ProbeProgress {
  done: number;
  total: number;
  last?: ProbeResult;
}

/**
 * Socket errors that describe this machine, not the port: out of descriptors, buffers or local ports. They
 * end the run as an error; reporting them as port states would show hundreds of open ports as "filtered".
 */
export const LOCAL_ERRORS: Readonly<Record<string, string>> = {
  EMFILE: 'too many open files in this process',
  ENFILE: 'too many open files on this system',
  ENOBUFS: 'no buffer space available',
  ENOMEM: 'out of memory',
  EADDRNOTAVAIL: 'no local address or port available',
  EAGAIN: 'no local port available',
};

/** A socket error of the local machine (see LOCAL_ERRORS). */
export class LocalSocketError extends Error {
  constructor(readonly code: string) {
    super(`${code} (${LOCAL_ERRORS[code]})`);
  }
}
