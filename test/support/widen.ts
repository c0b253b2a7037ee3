/** Compares two exposures of the same file: does the second accept anything the first did not? */
import type { Exposure } from '../../server/src/analysis/exposure';
import { acceptedMaps } from '../../server/src/analysis/exposure';
import { OTHER, matchesInterface, type IfaceClass } from '../../server/src/analysis/interfaces';
import type { PortMap } from '../../server/src/analysis/portmap';

const chainKey = (c: Exposure['chains'][number]) => `${c.chain.table}/${c.chain.name}/${c.family}`;

/**
 * The first way `after` accepts more than `before`, or undefined. Interface classes are matched by name; a class
 * `before` did not have falls under the class that held its packets there (a matching wildcard, else OTHER).
 */
export function exposureGrowth(before: Exposure, after: Exposure): string | undefined {
  const old = new Map(before.chains.map((c) => [chainKey(c), c]));
  for (const ce of after.chains) {
    const prev = old.get(chainKey(ce));
    const now = acceptedMaps(ce);
    const was = prev ? acceptedMaps(prev) : new Map<string, PortMap>();
    for (const [key, map] of now) {
      const [protocol, cls] = key.split('\u0000');
      const from = prev ? classIn(prev.ifaceClasses, cls) : OTHER;
      const grown = notCovered(map, was.get(`${protocol}\u0000${from}`));
      if (grown) return `${chainKey(ce)} ${protocol}${cls ? ` on ${cls}` : ''}: ${grown}`;
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
