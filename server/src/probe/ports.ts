/** Port lists as users type them: "22,80,443,1000-2000" (also "1000:2000"). */
import { parsePortSpec } from '../model/port-spec';
import { MAX_PORTS, type PortSpec, type ProbeProtocol } from './types';

const RULES = { minPort: 1, protocols: ['tcp', 'udp'] };

export class PortListError extends Error {}

export function parsePortList(text: string, protocols: ProbeProtocol[] = ['tcp']): PortSpec[] {
  const out: PortSpec[] = [];
  const seen = new Set<string>();
  for (const raw of text.split(',')) {
    const part = raw.trim();
    if (!part) continue;
    const spec = parsePortSpec(part, RULES);
    if (typeof spec === 'string') throw new PortListError(spec);
    const { lo, hi } = spec;
    const protos = spec.protocol ? [spec.protocol as ProbeProtocol] : protocols;
    for (let p = lo; p <= hi; p++) {
      for (const protocol of protos) {
        const key = `${p}/${protocol}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ port: p, protocol });
        if (out.length > MAX_PORTS) throw new PortListError(`more than ${MAX_PORTS} ports in one run; probe fewer at a time`);
      }
    }
  }
  if (!out.length) throw new PortListError('no ports given');
  return out;
}
