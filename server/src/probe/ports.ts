/** Port lists as users type them: "22,80,443,1000-2000" (also "1000:2000"). */
import { MAX_PORTS, type PortSpec, type ProbeProtocol } from './types';

export class PortListError extends Error {}

export function parsePortList(text: string, protocols: ProbeProtocol[] = ['tcp']): PortSpec[] {
  const out: PortSpec[] = [];
  const seen = new Set<string>();
  for (const raw of text.split(',')) {
    const part = raw.trim();
    if (!part) continue;
    const m = /^(\d{1,5})(?:\s*[-:]\s*(\d{1,5}))?(?:\/(tcp|udp))?$/i.exec(part);
    if (!m) throw new PortListError(`\`${part}\` is not a port or range (examples: 22, 1000-2000, 53/udp)`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo < 1 || hi > 65535) throw new PortListError(`\`${part}\`: ports are 1-65535`);
    if (lo > hi) throw new PortListError(`\`${part}\`: the range is reversed`);
    const protos = m[3] ? [m[3].toLowerCase() as ProbeProtocol] : protocols;
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
