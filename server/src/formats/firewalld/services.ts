/** firewalld's standard services (name → "port/protocol" list), shared by the parser and completion. */
import STANDARD from './standard-services.json';

export type ServiceDef = { ports: string[]; protocols: string[] };

const standard = STANDARD as unknown as Record<string, string[] | ServiceDef>;

export function standardService(name: string): ServiceDef | undefined {
  if (name === '_source') return undefined;
  const s = standard[name];
  if (!s) return undefined;
  return Array.isArray(s) ? { ports: s, protocols: [] } : s;
}

export function standardServiceNames(): string[] {
  return Object.keys(standard).filter((n) => n !== '_source');
}
