import { AddressSet } from './addresses';

const LOOPBACK = AddressSet.parse('127.0.0.0/8')!.union(AddressSet.parse('::1/128')!);

/** True for a non-empty set of loopback addresses only (a port bound there is reachable from the host itself). */
export function isLoopbackSet(set: AddressSet): boolean {
  return !set.isEmpty() && LOOPBACK.covers(set);
}
