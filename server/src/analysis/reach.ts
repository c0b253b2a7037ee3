/** Shared wording and thresholds for "who can reach this". */
import { isLoopback } from './interfaces';
import { AddressSet, type Family } from '../model/addresses';
import type { Severity } from '../model/finding';
import { chainLabel } from '../model/ruleset';
import type { Grant } from './exposure';

const HALF_V4 = 1n << 31n;
const HALF_V6 = 1n << 127n;

/**
 * Sources count as "the internet" when they cover at least half of the address family (all of it minus a
 * few blocked or trusted networks). A private /29 is never "the internet", whatever its size.
 */
export function isWorld(sources: AddressSet, family: Family): boolean {
  return family === 'ipv4' ? sources.v4.size() >= HALF_V4 : sources.v6.size() >= HALF_V6;
}

/** Grants share source sets (every class a rule holds for, every port range of it): each set is worded once. */
const wordings: Record<Family, WeakMap<AddressSet, string>> = { ipv4: new WeakMap(), ipv6: new WeakMap() };

export function describeSources(sources: AddressSet, family: Family): string {
  let text = wordings[family].get(sources);
  if (text === undefined) wordings[family].set(sources, (text = wordSources(sources, family)));
  return text;
}

function wordSources(sources: AddressSet, family: Family): string {
  if (family === 'ipv4' && sources.isAnyV4()) return 'any IPv4 address';
  if (family === 'ipv6' && sources.isAnyV6()) return 'any IPv6 address';
  if (isWorld(sources, family))
    return `almost any ${family === 'ipv4' ? 'IPv4' : 'IPv6'} address (all but ${AddressSet.any(family).subtract(sources).describe(3)})`;
  return sources.describe(4);
}

/**
 * Grants that reach from the internet once trusted networks are taken out. Loopback never counts, nor do
 * sources confined to the host's own networks or link (pf `em0:network`, a link-local destination).
 */
export function worldGrants(grants: Grant[], trusted: AddressSet): Grant[] {
  return grants.filter((g) => reachesWorld(g, trusted));
}

export function reachesWorld(g: Grant, trusted: AddressSet): boolean {
  // Most grants are far from half the space: tell them without building the difference.
  if (isLoopback(g.iface) || g.within?.some((w) => w.local) || !isWorld(g.sources, g.family)) return false;
  return isWorld(g.sources.subtract(trusted), g.family);
}

/** Who a grant lets in: its address set, or the names the file cannot resolve when the sources lie within them. */
export function describeGrantSources(g: Grant): string {
  if (!g.within?.length) return describeSources(g.sources, g.family);
  const names = [...new Set(g.within.map((w) => w.text))].join(' and ');
  const any = g.family === 'ipv4' ? g.sources.isAnyV4() : g.sources.isAnyV6();
  return `${names}${any ? '' : ` (at most ${describeSources(g.sources, g.family)})`}`;
}

/** An approximate verdict is never an error: the file may not do what the finding says. */
export function capApproximate(severity: Severity, approximate: boolean): Severity {
  return approximate && severity === 'error' ? 'warning' : severity;
}

export function ifaceNote(g: Grant): string {
  return g.iface ? ` arriving on ${g.iface.endsWith('+') ? `interfaces ${g.iface}` : g.iface}` : '';
}

/** "chain INPUT", "zone public", or "aws_security_group_rule.ssh in chain aws_security_group.web" for named rules. */
export function throughChain(g: Grant): string {
  const name = g.rule?.name;
  return `${name && name !== g.chain.name ? `${name} in ` : ''}${chainLabel(g.chain)}`;
}
