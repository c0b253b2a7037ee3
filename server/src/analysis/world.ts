/**
 * Which grants reach from the internet (reach.ts reachesWorld), worked out once per exposure: PC101/PC102, PC104,
 * PC107, PC120 and PC122 each ask for every rule, a file of hundreds of services has thousands of grants, and
 * those share a few source sets (all of IPv4, all of IPv6), so the answer is also kept per source set.
 */
import type { AddressSet, Family } from '../model/addresses';
import type { Exposure, Grant } from './exposure';
import { isLoopback } from './interfaces';
import { reachesWorld } from './reach';
import { RuleMap } from './rule-map';

export interface World {
  /** The grants of each rule that reach from the internet (rules with none are absent). */
  byRule: RuleMap<Grant[]>;
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
  const byRule = new RuleMap<Grant[]>(exposure.byRule.span);
  exposure.byRule.forEach((grants, id) => {
    const world = reaching(grants, reaches);
    if (world) byRule.set(id, world);
  });
  const world = { byRule, reaches };
  views.set(exposure, { trusted, world });
  return world;
}

/**
 * Lets go of an exposure's view once the checks have run: only they ask for it, and kept it would live as long as
 * the exposure (the analysis an editor holds for hovers).
 */
export function forgetWorld(exposure: Exposure): void {
  views.delete(exposure);
}

/**
 * The grants that reach, or undefined: the rule's own list when all of them do (lists are never changed once
 * made), else a list made at its final length (a filter grows its result from nothing for thousands of rules).
 */
function reaching(grants: Grant[], reaches: (g: Grant) => boolean): Grant[] | undefined {
  let count = 0;
  for (let k = 0; k < grants.length; k++) if (reaches(grants[k])) count++;
  if (count === grants.length) return count ? grants : undefined;
  if (!count) return undefined;
  const world = new Array<Grant>(count);
  for (let k = 0, n = 0; k < grants.length; k++) if (reaches(grants[k])) world[n++] = grants[k];
  return world;
}
