/**
 * Compares two exposures of one file (before and after an edit): does the second accept anything the first did
 * not? Used by the redundancy check (PC106: the same both ways) and by the quick-fix safety test.
 */
import type { Exposure } from './exposure';
import { LOOPBACK_SOURCES, acceptedMaps } from './exposure';
import { OTHER, isLoopback, matchesInterface, type IfaceClass } from './interfaces';
import type { AddressSet } from '../model/addresses';
import { PortMap } from './portmap';

/** One packet path: what passes every base chain on the way to the input or forward hook, per family. */
interface PathView {
  classes: IfaceClass[];
  maps: Map<string, PortMap>;
}

function paths(e: Exposure): Map<string, PathView> {
  const out = new Map<string, PathView>();
  for (const ce of e.chains) {
    const key = `${ce.family}/${ce.hook}`;
    const view = out.get(key) ?? { classes: [], maps: new Map<string, PortMap>() };
    for (const c of ce.ifaceClasses) if (!view.classes.includes(c)) view.classes.push(c);
    for (const [k, m] of acceptedMaps(ce)) {
      const into = view.maps.get(k) ?? PortMap.empty();
      into.add(m);
      view.maps.set(k, into);
    }
    out.set(key, view);
  }
  return out;
}

/** Both accept exactly the same new connections, whatever interface classes each one tells apart. */
export function sameExposure(a: Exposure, b: Exposure): boolean {
  return !exposureGrowth(a, b) && !exposureGrowth(b, a);
}

/**
 * The first way `after` accepts more than `before`, or undefined. Grants are compared per path (family and hook),
 * whichever chain on the path records them. Interface classes are compared on their common refinement: a class
 * one side does not name is read through the class that holds its packets there (a matching wildcard, else
 * OTHER); loopback carries only local sources on either side.
 */
export function exposureGrowth(before: Exposure, after: Exposure): string | undefined {
  const old = paths(before);
  for (const [key, now] of paths(after)) {
    const prev = old.get(key);
    const classes = new Set([...now.classes, ...(prev?.classes ?? [])]);
    for (const protocol of ['tcp', 'udp']) {
      for (const cls of classes) {
        const map = now.maps.get(`${protocol}\u0000${classIn(now.classes, cls)}`);
        if (!map) continue;
        const was = prev?.maps.get(`${protocol}\u0000${classIn(prev.classes, cls)}`);
        const grown = notCovered(map, was, isLoopback(cls) ? LOOPBACK_SOURCES : undefined);
        if (grown) return `${key} ${protocol}${cls ? ` on ${cls}` : ''}: ${grown}`;
      }
    }
  }
  return undefined;
}

function classIn(classes: IfaceClass[], cls: IfaceClass): IfaceClass {
  if (classes.includes(cls)) return cls;
  if (cls === OTHER) return OTHER;
  const wild = classes.filter((c) => (c.endsWith('+') || c.endsWith('*')) && matchesInterface(c, cls)).sort((a, b) => b.length - a.length);
  return wild[0] ?? OTHER;
}

/** Ports and sources of `now` that `was` does not accept (only sources within `only`, when given). */
function notCovered(now: PortMap, was: PortMap | undefined, only?: AddressSet): string | undefined {
  for (const seg of now.segments()) {
    const sources = only ? seg.sources.intersect(only) : seg.sources;
    if (sources.isEmpty()) continue;
    if (!was) return `ports ${seg.lo}-${seg.hi} from ${sources.describe(2)} (nothing before)`;
    for (const old of was.segments()) {
      if (old.hi < seg.lo || old.lo > seg.hi) continue;
      const extra = sources.subtract(old.sources);
      if (!extra.isEmpty()) return `ports ${Math.max(seg.lo, old.lo)}-${Math.min(seg.hi, old.hi)} from ${extra.describe(2)}`;
    }
  }
  return undefined;
}
