/**
 * Interface classes: every packet arrives on some interface, and a ruleset can only tell apart the names it
 * mentions. One class per concrete name, one per wildcard prefix (`eth+` = "another eth… name"), and one
 * for every other name. Evaluating each class once is exact for interface matches.
 */
export const OTHER = '';

/** A class key: a concrete name, `prefix+` for other names under a wildcard, or OTHER. */
export type IfaceClass = string;

export function interfaceClasses(patterns: Iterable<string>): IfaceClass[] {
  const set = new Set<IfaceClass>([OTHER]);
  for (const p of patterns) set.add(p);
  return [...set];
}

/** Whether packets of a class match an iptables/nft-style interface pattern (trailing + or * is a wildcard). */
export function matchesInterface(pattern: string, cls: IfaceClass): boolean {
  if (cls === OTHER) return false;
  const wild = pattern.endsWith('+') || pattern.endsWith('*');
  const clsWild = cls.endsWith('+') || cls.endsWith('*');
  const clsBase = clsWild ? cls.slice(0, -1) : cls;
  if (!wild) return !clsWild && pattern === cls;
  // A wildcard class stands for unnamed interfaces with its prefix; it matches a pattern whose prefix it extends.
  return clsBase.startsWith(pattern.slice(0, -1));
}

/** Linux names loopback `lo`; the BSDs (pf) name it `lo0`. */
export function isLoopback(cls: IfaceClass): boolean {
  return cls === 'lo' || cls === 'lo0';
}
