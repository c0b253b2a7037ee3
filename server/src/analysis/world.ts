/**
 * Which grants reach from the internet (reach.ts reachesWorld), worked out once per exposure: PC101/PC102, PC104,
 * PC107, PC120 and PC122 each ask for every rule, a file of hundreds of services has thousands of grants, and
 * those share a few source sets (all of IPv4, all of IPv6), so the answer is also kept per source set.
 */
import type { AddressSet, Family } from '../model/addresses';
import type { Exposure, Grant } from './exposure';
import { isLoopback } from './interfaces';
import { reachesWorld } from './reach';

export interface World {
  /** The grants of each rule that reach from the internet (rules with none are absent). */
  byRule: Map<number, Grant[]>;
  reaches(g: Grant): boolean;
}

const views = new WeakMap<Exposure, { trusted: AddressSet; world: World }>();

export function worldOf(exposure: Exposure, trusted: AddressSet): World {
  const known = views.get(exposure);
  if (known?.trusted === trusted) return known.world;
  const bySources: Record<Family, Map<AddressSet, boolean>> = { ipv4: new Map(), ipv6: new Map() };
  const reaches = (g: Grant): boolean => {
    // Loopback and local bounds decide before the sources do: those grants are asked as they are.
    if (isLoopback(g.iface) || g.within?.length) return reachesWorld(g, trusted);
    let r = bySources[g.family].get(g.sources);
    if (r === undefined) bySources[g.family].set(g.sources, (r = reachesWorld(g, trusted)));
    return r;
  };
  const byRule = new Map<number, Grant[]>();
  for (const [id, grants] of exposure.byRule) {
    const world = grants.filter(reaches);
    if (world.length) byRule.set(id, world);
  }
  const world = { byRule, reaches };
  views.set(exposure, { trusted, world });
  return world;
}
