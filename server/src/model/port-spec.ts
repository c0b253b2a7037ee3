/**
 * Port specs as users type them in settings and on the command line: "22", "1000-2000" (or "1000:2000", as
 * iptables writes ranges), optionally with a protocol: "53/udp". The one reader for the probe's port lists
 * and the risky-port settings; each caller says which ports and protocols it accepts.
 */
import { MAX_PORT } from './ports';

export interface PortSpec {
  lo: number;
  hi: number;
  /** The protocol written after the slash, lower-cased; undefined when none was given. */
  protocol?: string;
}

export interface PortSpecRules {
  /** The lowest port allowed: 0 in settings (a firewall can match it), 1 for a probe (nothing listens on 0). */
  minPort: number;
  protocols: readonly string[];
}

const SPEC = /^(\d{1,5})(?:\s*[-:]\s*(\d{1,5}))?(?:\s*\/\s*([A-Za-z]+))?$/;

/** Reads one spec, or returns why it cannot be read (the message quotes the spec). */
export function parsePortSpec(spec: string, rules: PortSpecRules): PortSpec | string {
  const text = String(spec).trim();
  const m = SPEC.exec(text);
  if (!m) return `\`${spec}\`: expected a port, a range, or either with a protocol (examples: 22, 1000-2000, 53/udp)`;
  const lo = Number(m[1]);
  const hi = m[2] !== undefined ? Number(m[2]) : lo;
  if (lo < rules.minPort || hi > MAX_PORT) return `\`${spec}\`: ports are ${rules.minPort}-${MAX_PORT}`;
  if (lo > hi) return `\`${spec}\`: the range is reversed (${lo} > ${hi})`;
  const protocol = m[3]?.toLowerCase();
  if (protocol !== undefined && !rules.protocols.includes(protocol)) {
    return `\`${spec}\`: unknown protocol \`${m[3]}\` (expected ${rules.protocols.slice(0, -1).join(', ')} or ${rules.protocols[rules.protocols.length - 1]})`;
  }
  return { lo, hi, protocol };
}
