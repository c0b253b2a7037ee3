/** Compares two exposures of the same file: does the second accept anything the first did not? */
import type { Exposure } from '../../server/src/analysis/exposure';
import { acceptedMaps } from '../../server/src/analysis/exposure';
import { OTHER, matchesInterface, type IfaceClass } from '../../server/src/analysis/interfaces';
import type { PortMap } from '../../server/src/analysis/portmap';

/** Everything a hook's path accepts (every chain it reports), per protocol and interface class. */
function pathMaps(exposure: Exposure): Map<string, { classes: IfaceClass[]; maps: Map<string, PortMap> }> {
  const out = new Map<string, { classes: IfaceClass[]; maps: Map<string, PortMap> }>();
  for (const ce of exposure.chains) {
    // Base chains with no hook path of their own (other formats) are compared chain by chain, as before.
    const key = ce.hook ? `${ce.hook}/${ce.family}` : `${ce.chain.table}/${ce.chain.name}/${ce.family}`;
    const entry = out.get(key) ?? { classes: ce.ifaceClasses, maps: new Map<string, PortMap>() };
    for (const [k, m] of acceptedMaps(ce)) {
      const cur = entry.maps.get(k);
      if (cur) cur.add(m);
      else entry.maps.set(k, m);
    }
    out.set(key, entry);
  }
  return out;
}

/**
 * The first way `after` accepts more than `before`, or undefined. A packet must pass every chain on its hook's
 * path, so what is compared is the path's whole exposure, not chain by chain (a fix may move a decision from
 * one chain to another). Interface classes are matched by name; a class `before` did not have falls under the
 * class that held its packets there (a matching wildcard, else OTHER).
 */
export function exposureGrowth(before: Exposure, after: Exposure): string | undefined {
  const old = pathMaps(before);
  for (const [key, now] of pathMaps(after)) {
    const prev = old.get(key);
    for (const [k, map] of now.maps) {
      const [protocol, cls] = k.split('\u0000');
      const from = prev ? classIn(prev.classes, cls) : OTHER;
      const grown = notCovered(map, prev?.maps.get(`${protocol}\u0000${from}`));
      if (grown) return `${key} ${protocol}${cls ? ` on ${cls}` : ''}: ${grown}`;
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

/** Ports and sources of `now` that `was` does not accept. */
function notCovered(now: PortMap, was: PortMap | undefined): string | undefined {
  for (const seg of now.segments()) {
    if (seg.sources.isEmpty()) continue;
    if (!was) return `ports ${seg.lo}-${seg.hi} from ${seg.sources.describe(2)} (nothing before)`;
    for (const old of was.segments()) {
      if (old.hi < seg.lo || old.lo > seg.hi) continue;
      const extra = seg.sources.subtract(old.sources);
      if (!extra.isEmpty()) return `ports ${Math.max(seg.lo, old.lo)}-${Math.min(seg.hi, old.hi)} from ${extra.describe(2)}`;
    }
  }
  return undefined;
}
