/**
 * Drift: where a probe of the real host disagrees with what the file says. PC201 — the file blocks a port
 * but the host answers on it (the file is not what is deployed, or another layer lets it through). PC202 —
 * the file opens a port to everyone but nothing answers (service down, or another firewall in front).
 */
import { CODES } from '../model/codes';
import type { Finding } from '../model/finding';
import type { ListedPort } from './expectations';

/** The part of a probe result drift needs; the probe engine's results satisfy it. */
export interface Observed {
  port: number;
  protocol: 'tcp' | 'udp';
  state: string;
}

export interface ProbeLabel {
  host: string;
  address: string;
  /** ISO time of the probe. */
  at: string;
}

export function driftFindings(listed: ListedPort[], observed: Observed[], label: ProbeLabel): Finding[] {
  const findings: Finding[] = [];
  const who = `probe of ${label.host}${label.address && label.address !== label.host ? ` (${label.address})` : ''} at ${label.at}`;
  for (const o of observed) {
    const l = listed.find((x) => x.port === o.port && x.protocol === o.protocol);
    if (!l) continue;
    const proto = o.protocol.toUpperCase();
    if (l.expected === 'blocked' && o.state === 'open') {
      findings.push({
        code: 'PC201',
        severity: CODES.PC201.severity,
        range: l.range,
        data: { port: o.port, protocol: o.protocol },
        message: `${who}: ${proto} ${o.port} answers (open), but this file blocks it. The deployed rules differ from this file, or something else (another chain, a NAT rule, a different host) lets it through.`,
      });
    } else if (l.expected === 'open' && (o.state === 'closed' || o.state === 'filtered')) {
      findings.push({
        code: 'PC202',
        severity: CODES.PC202.severity,
        range: l.range,
        data: { port: o.port, protocol: o.protocol },
        message: `${who}: ${proto} ${o.port} is ${o.state}, but this file opens it to everyone. Nothing listens there, or a firewall in front of the host blocks it.`,
      });
    }
  }
  return findings;
}
