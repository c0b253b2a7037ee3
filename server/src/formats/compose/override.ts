/**
 * Docker Compose reads a project's base file together with its override file in the same folder
 * (`compose.yaml` + `compose.override.yaml`, or the `docker-compose` names) and merges them: a service's
 * `ports` and `expose` sequences are appended, a port entry both files list is kept once (its unique key is
 * host IP, published port, target and protocol), a scalar such as `network_mode` is taken from the override,
 * and `!reset` / `!override` on a sequence drop the base file's entries. Each file keeps the findings for the
 * ports it lists; this module supplies what the other file of the pair says.
 */
import type { ListenerSpec } from '../listener';

/** Base names in Docker's order of preference; the first that exists is the project's file. */
export const BASE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];
export const OVERRIDE_NAMES = ['compose.override.yaml', 'compose.override.yml', 'docker-compose.override.yaml', 'docker-compose.override.yml'];
/** Compose's merge tags: a valid value follows the tag, but the base file's value is dropped. */
export const MERGE_TAGS = ['!reset', '!override'];

/** What one file says about a service, as far as the other file of the pair needs it. */
export interface ServiceFacts {
  networkMode?: string;
  /** `!reset` or `!override` on the service's `ports`. */
  portsTag?: string;
  /** Unique keys of the ports the file publishes. */
  ports: Set<string>;
}

/** The other file of a base/override pair, read from the same folder. */
export interface Partner {
  /** Its file name, for messages. */
  name: string;
  /** Whether the partner is the override (the file being read is then the base) or the base. */
  role: 'override' | 'base';
  services: Map<string, ServiceFacts>;
}

/** The names of the file's partner, in the order Docker looks for them; none when the file is not one of the defaults. */
export function partnerNames(path: string | undefined): { role: Partner['role']; names: string[] } | undefined {
  const name = (path ?? '').slice(Math.max((path ?? '').lastIndexOf('/'), (path ?? '').lastIndexOf('\\')) + 1).toLowerCase();
  if (BASE_NAMES.includes(name)) return { role: 'override', names: OVERRIDE_NAMES };
  if (OVERRIDE_NAMES.includes(name)) return { role: 'base', names: BASE_NAMES };
  return undefined;
}

/** Compose's unique key for a port entry (host IP, published, target, protocol), from the parsed entry. */
export function portKey(spec: ListenerSpec): string {
  const l = spec.listener;
  const published = l.anyHostPort ? '' : spec.items.map((i) => `${i.lo}-${i.hi}`).join(',');
  return [l.bound?.describe(64) ?? '', published, l.target ?? '', spec.protocol].join('|');
}

/**
 * The effective `network_mode` of a service and whether the file being read set it: the override's value wins.
 * `own` is this file's value, `partner` the other file's.
 */
export function effectiveMode(own: string | undefined, partner: Partner | undefined, service: string): { mode?: string; here: boolean } {
  const other = partner?.services.get(service)?.networkMode;
  if (partner?.role === 'override' && other !== undefined) return { mode: other, here: false };
  if (own !== undefined) return { mode: own, here: true };
  return { mode: other, here: false };
}
