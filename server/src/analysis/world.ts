/**
 * The grants of one rule that reach from the internet (reach.ts worldGrants), worked out once per grant list:
 * PC101/PC102, PC104, PC120 and PC122 each ask for every rule, and a file of hundreds of services has thousands
 * of grants. A list is the exposure's own (Exposure.byRule), complete before any check runs.
 */
import type { AddressSet } from '../model/addresses';
import type { Grant } from './exposure';
import { worldGrants } from './reach';

const known = new WeakMap<Grant[], { trusted: AddressSet; world: Grant[] }>();

export function worldOf(grants: Grant[], trusted: AddressSet): Grant[] {
  const k = known.get(grants);
  if (k && k.trusted === trusted) return k.world;
  const world = worldGrants(grants, trusted);
  known.set(grants, { trusted, world });
  return world;
}
