/**
 * Import of an existing nmap scan (`nmap -oX` output) into the probe result model, so a scan taken
 * elsewhere can be compared with the rules like one of our own probe runs.
 */
import type { ProbeRun } from './probe';
import type { ProbeResult, ProbeState } from './types';

export class NmapXmlError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'NmapXmlError';
  }
}

export interface NmapImport {
  hosts: ProbeRun[];
  /** Scanner and version from the root element, e.g. "nmap 7.93". */
  scanner: string;
  /** Scan start (ISO 8601) from `<nmaprun start=…>`, when present. */
  startedAt?: string;
}

/** nmap's six port states onto ours; the override keeps what our vocabulary would otherwise lose. */
const STATES: Record<string, { state: ProbeState; reason?: string }> = {
  open: { state: 'open' },
  closed: { state: 'closed' },
  filtered: { state: 'filtered' },
  // ACK scans: reachable but open/closed unknown. We have no such state, so keep the word as the reason.
  unfiltered: { state: 'filtered', reason: 'unfiltered' },
  'open|filtered': { state: 'open|filtered' },
  'closed|filtered': { state: 'filtered' },
};

/** Upper bound on ports expanded from one `<extrareasons ports=…>` list (one full protocol range). */
const MAX_EXPANDED = 65536;

interface HostDraft {
  address?: string;
  hostname?: string;
  srttUs?: number;
  results: ProbeResult[];
}

export function parseNmapXml(text: string): NmapImport {
  // Loaded here: the server and CLI start without an XML parser until a scan is imported.
  const { SaxesParser } = require('saxes') as typeof import('saxes');
  const parser = new SaxesParser({ xmlns: false, position: true } as const);
  const stack: string[] = [];
  const hosts: ProbeRun[] = [];
  const scanProtocols = new Set<string>();
  let out: NmapImport | undefined;
  let host: HostDraft | undefined;
  let port: Partial<ProbeResult> | undefined;
  let extraState: string | undefined;

  const fail = (message: string): never => {
    throw new NmapXmlError(`${message} (line ${parser.line})`, parser.line);
  };
  const mapState = (raw: string | undefined, reason: string): { state: ProbeState; reason: string } => {
    const m = (raw !== undefined && Object.hasOwn(STATES, raw) ? STATES[raw] : undefined) ?? fail(`unknown port state "${raw}"`);
    return { state: m.state, reason: m.reason ?? reason };
  };

  parser.on('error', (err) => {
    // saxes prefixes "line:column: "; we put the line in our own wording instead.
    throw new NmapXmlError(`malformed XML at line ${parser.line}: ${err.message.replace(/^\d+:\d+: /, '')}`, parser.line);
  });

  parser.on('opentag', (tag) => {
    // Without namespace processing saxes gives plain string attributes; its typings only half say so.
    const a = tag.attributes as Record<string, string | undefined>;
    const parent = stack[stack.length - 1];
    stack.push(tag.name);
    if (stack.length === 1) {
      if (tag.name !== 'nmaprun') fail(`not an nmap XML file (root element <${tag.name}>)`);
      const start = Number(a.start);
      out = {
        hosts,
        scanner: [a.scanner || 'nmap', a.version].filter(Boolean).join(' '),
        ...(a.start && Number.isFinite(start) ? { startedAt: new Date(start * 1000).toISOString() } : {}),
      };
      return;
    }
    if (tag.name === 'scaninfo' && parent === 'nmaprun' && a.protocol) scanProtocols.add(a.protocol);
    // <hosthint> (nmap ≥ 7.80) also carries <address>/<hostname>; only those inside <host> count.
    if (tag.name === 'host' && parent === 'nmaprun') host = { results: [] };
    if (!host) return;
    switch (tag.name) {
      case 'address':
        if ((a.addrtype === 'ipv4' || a.addrtype === 'ipv6') && !host.address) host.address = a.addr;
        break;
      case 'hostname':
        host.hostname ??= a.name || undefined;
        break;
      case 'times':
        if (parent === 'host' && a.srtt && Number.isFinite(Number(a.srtt))) host.srttUs = Number(a.srtt);
        break;
      case 'port':
        port = a.protocol === 'tcp' || a.protocol === 'udp' ? { port: portNumber(a.portid, fail), protocol: a.protocol } : undefined;
        break;
      case 'state':
        if (port && parent === 'port') Object.assign(port, mapState(a.state, a.reason ?? ''));
        break;
      case 'service':
        if (port && parent === 'port') {
          const pv = [a.product, a.version].filter(Boolean).join(' ');
          // "unknown" is nmap's "no idea", not something the service said.
          const banner = pv || (a.name !== 'unknown' ? a.name : '');
          if (banner) port.banner = banner;
        }
        break;
      case 'extraports':
        extraState = a.state;
        break;
      case 'extrareasons': {
        // Newer nmap lists the summarised ports; older output only has counts, which we cannot place.
        if (!a.ports || !extraState) break;
        const proto = a.proto || (scanProtocols.size === 1 ? [...scanProtocols][0] : '');
        if (proto !== 'tcp' && proto !== 'udp') break;
        const { state, reason } = mapState(extraState, a.reason ?? '');
        for (const p of expandPorts(a.ports, fail)) host.results.push({ port: p, protocol: proto, state, reason, latencyMs: 0 });
        break;
      }
    }
  });

  parser.on('closetag', (tag) => {
    stack.pop();
    if (!host) return;
    if (tag.name === 'port' && port) {
      if (port.state === undefined) fail(`port ${port.port}/${port.protocol} has no <state>`);
      host.results.push({ latencyMs: 0, ...port } as ProbeResult);
      port = undefined;
    } else if (tag.name === 'extraports') {
      extraState = undefined;
    } else if (tag.name === 'host') {
      if (host.address) {
        // No per-port timing in nmap XML: the host's smoothed RTT is the nearest thing.
        const latencyMs = host.srttUs !== undefined ? Math.round(host.srttUs / 100) / 10 : 0;
        const results = host.results
          .map((r) => ({ ...r, latencyMs }))
          .sort((x, y) => x.protocol.localeCompare(y.protocol) || x.port - y.port);
        hosts.push({ target: host.hostname ?? host.address, address: host.address, results, cancelled: false });
      }
      host = undefined;
    }
  });

  parser.write(text).close();
  if (!out) throw new NmapXmlError('not an nmap XML file (no root element)');
  return out;
}

function portNumber(s: string | undefined, fail: (m: string) => never): number {
  const n = Number(s);
  return s && Number.isInteger(n) && n >= 0 && n <= 65535 ? n : fail(`bad port number "${s}"`);
}

/** "1-21,23,25-79" → the ports; capped so a hostile file cannot make us allocate without bound. */
function expandPorts(list: string, fail: (m: string) => never): number[] {
  const ports: number[] = [];
  for (const part of list.split(',')) {
    const [lo, hi = lo] = part.trim().split('-');
    const from = portNumber(lo, fail);
    const to = portNumber(hi, fail);
    if (to < from) fail(`reversed port range "${part}"`);
    for (let p = from; p <= to; p++) {
      if (ports.length >= MAX_EXPANDED) fail(`more than ${MAX_EXPANDED} ports in one <extrareasons> list`);
      ports.push(p);
    }
  }
  return ports;
}
