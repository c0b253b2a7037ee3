/** Probe vocabulary, shared by the engine, the server command and the CLI. */
export type ProbeProtocol = 'tcp' | 'udp';

/** As a careful scanner reports it: a refused connection is closed; silence after retries is filtered. */
export type ProbeState = 'open' | 'closed' | 'filtered' | 'open|filtered' | 'unreachable';

export interface PortSpec {
  port: number;
  protocol: ProbeProtocol;
}

export interface ProbeOptions {
  timeoutMs: number;
  concurrency: number;
  retries: number;
  banner: boolean;
}

export const DEFAULTS: ProbeOptions = { timeoutMs: 1000, concurrency: 100, retries: 1, banner: true };

/** A hard cap on ports per run: probing is for checking your own hosts, not for sweeping. */
export const MAX_PORTS = 4096;

export interface ProbeResult {
  port: number;
  protocol: ProbeProtocol;
  state: ProbeState;
  /** Why: syn-ack, conn-refused, no-response, host-unreach, net-unreach, admin-prohibited, port-unreach, udp-response. */
  reason: string;
  latencyMs: number;
  banner?: string;
}

export interface ProbeProgress {
  done: number;
  total: number;
  last?: ProbeResult;
}
