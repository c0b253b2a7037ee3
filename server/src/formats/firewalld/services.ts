/** firewalld's standard services (name → ports, protocols, destination, includes), shared by the parser and completion. */
import STANDARD from './standard-services.json';

/** A service: its ports and protocols, the destination it is limited to per family, and included services. */
export type ServiceDef = { ports: string[]; protocols: string[]; destination?: { ipv4?: string; ipv6?: string }; includes?: string[] };

const standard = STANDARD as unknown as Record<string, string[] | Partial<ServiceDef>>;

export function standardService(name: string): ServiceDef | undefined {
  if (name === '_source') return undefined;
  const s = standard[name];
  if (!s) return undefined;
  return Array.isArray(s)
    ? { ports: s, protocols: [] }
    : { ports: s.ports ?? [], protocols: s.protocols ?? [], destination: s.destination, includes: s.includes };
}

/** Every "port/protocol" of a standard service and the services it includes. */
export function standardServicePorts(name: string, seen = new Set<string>()): string[] {
  const s = standardService(name);
  if (!s || seen.has(name)) return [];
  seen.add(name);
  return [...new Set([...s.ports, ...(s.includes ?? []).flatMap((i) => standardServicePorts(i, seen))])];
}

export function standardServiceNames(): string[] {
  return Object.keys(standard).filter((n) => n !== '_source');
}
