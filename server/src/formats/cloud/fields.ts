/**
 * Field readers shared by the template formats (CloudFormation, ARM): a field's value with its source range,
 * turned into protocols, ports and sources, with unknown parts recorded instead of guessed.
 */
import { AddressSet } from '../../model/addresses';
import type { Range } from '../../model/range';
import type { PortItem } from '../../model/ruleset';
import {
  AZURE_LOAD_BALANCER,
  VIRTUAL_NETWORK,
  hasPorts,
  portItem,
  protocolOf,
  type CloudRule,
  type Unknown as UnknownPart,
} from './ruleset';
import { Unknown, findUnknown, type Value } from './value';

/** A field as read: its value (possibly several, from a condition's branches) and where it is written. */
export interface Field {
  name: string;
  value: Value;
  range: Range;
  /** Set when the value is one of a condition's alternatives: the union is read, approximately. */
  alternatives?: { values: Value[]; why: string };
}

export type Report = (code: 'PC001' | 'PC002' | 'PC003' | 'PC007', range: Range, message: string) => void;

export function unknownOf(f: Field): UnknownPart | undefined {
  if (f.alternatives) return { text: `${f.name} (${f.alternatives.why})`, range: f.range };
  const u = findUnknown(f.value);
  return u ? { text: `${f.name} (${u.why})`, range: f.range } : undefined;
}

function values(f: Field): Value[] {
  return f.alternatives ? f.alternatives.values : [f.value];
}

export function readProtocol(
  f: Field | undefined,
  fallback: Range,
  unknowns: UnknownPart[],
  report: Report,
): { protocols: CloudRule['protocols']; protocolRange: Range } {
  if (!f) return { protocols: 'all', protocolRange: fallback };
  const protos = new Set<string>();
  for (const v of values(f)) {
    if (v instanceof Unknown || v === null || typeof v === 'object') {
      unknowns.push({ text: `${f.name} (${v instanceof Unknown ? v.why : 'not a protocol'})`, range: f.range });
      return { protocols: 'all', protocolRange: f.range };
    }
    const p = protocolOf(String(v));
    if (!p) {
      report('PC001', f.range, `unknown protocol \`${String(v)}\`: expected tcp, udp, icmp, a protocol number, or -1 / * for all`);
      return { protocols: [], protocolRange: f.range };
    }
    protos.add(p);
  }
  if (f.alternatives) unknowns.push(unknownOf(f)!);
  return { protocols: protos.has('all') ? 'all' : [...protos], protocolRange: f.range };
}

/** AWS FromPort/ToPort (-1 with TCP/UDP = every port); undefined ports = every port. */
export function readAwsPorts(
  from: Field | undefined,
  to: Field | undefined,
  protocols: CloudRule['protocols'],
  unknowns: UnknownPart[],
  report: Report,
): { ports?: PortItem[]; portsRange?: Range } {
  if (protocols === 'all' || !protocols.some(hasPorts) || (!from && !to)) return {};
  const u = [from, to].flatMap((f) => (f ? [unknownOf(f)] : [])).filter((x): x is UnknownPart => !!x);
  if (u.length) {
    unknowns.push(...u);
    return {};
  }
  const lo0 = Number(from?.value ?? to?.value);
  const hi0 = Number(to?.value ?? from?.value);
  const lo = lo0 < 0 ? 0 : lo0;
  const hi = hi0 < 0 ? 65535 : hi0;
  const range = from && to && lo !== hi ? spanOf(from.range, to.range) : (from ?? to)!.range;
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo > 65535 || hi > 65535) {
    report('PC002', range, `port range ${String(from?.value)}–${String(to?.value)} is not valid: ports are 0–65535`);
    return { ports: [], portsRange: range };
  }
  if (lo > hi) {
    report('PC003', range, `FromPort ${lo} is above ToPort ${hi}: the range is empty, so the rule opens nothing`);
    return { ports: [], portsRange: range };
  }
  if (lo === 0 && hi === 65535) return { portsRange: range };
  return { ports: [{ text: lo === hi ? `${lo}` : `${lo}-${hi}`, range, lo, hi }], portsRange: range };
}

/** Azure-style port fields: "22", "1000-2000", "*", or lists of them. */
export function readPortList(f: Field | undefined, unknowns: UnknownPart[], report: Report): { ports?: PortItem[]; portsRange?: Range } {
  if (!f) return {};
  const u = unknownOf(f);
  if (u) unknowns.push(u);
  const items: PortItem[] = [];
  for (const v of values(f)) {
    if (findUnknown(v)) return { portsRange: f.range };
    for (const x of Array.isArray(v) ? v : [v]) {
      for (const part of String(x).split(',')) {
        const item = portItem(part, f.range);
        if (item === 'all') return { portsRange: f.range };
        if (typeof item === 'string') report(item.includes('out of range') ? 'PC002' : 'PC001', f.range, item);
        else if (item.lo > item.hi) report('PC003', f.range, `port range \`${item.text}\` is reversed (${item.lo} > ${item.hi})`);
        else items.push(item);
      }
    }
  }
  return { ports: items, portsRange: f.range };
}

/** CIDRs (AWS) or address prefixes and service tags (Azure, with `tags`); unknown parts count as anywhere. */
export function readSources(fields: Field[], tags: boolean, unknowns: UnknownPart[], report: Report): AddressSet {
  let set = AddressSet.NONE;
  for (const f of fields) {
    const u = unknownOf(f);
    if (u) unknowns.push(u);
    for (const v of values(f)) {
      for (const x of Array.isArray(v) ? v : [v]) {
        if (x === null) continue;
        if (x instanceof Unknown || typeof x === 'object') {
          set = AddressSet.ANY;
          continue;
        }
        for (const part of String(x)
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)) {
          const a = tags ? azurePrefix(part) : AddressSet.parse(part);
          if (a === 'tag') {
            unknowns.push({ text: `service tag ${part} (its addresses are not modelled)`, range: f.range });
            set = AddressSet.ANY;
          } else if (a) set = set.union(a);
          else report('PC007', f.range, `malformed address \`${part}\`: expected a CIDR network such as 203.0.113.0/24`);
        }
      }
    }
  }
  return set;
}

/** Azure address prefixes: CIDRs, `*`/Any/Internet (everywhere), VirtualNetwork, AzureLoadBalancer, other tags. */
export function azurePrefix(text: string): AddressSet | 'tag' | undefined {
  const t = text.trim();
  // `<nw>/0` and `/0` are older spellings of "any network" that Azure tooling still prints.
  if (/^(\*|any|internet|<nw>\/0|\/0)$/i.test(t)) return AddressSet.ANY;
  if (/^virtualnetwork$/i.test(t)) return VIRTUAL_NETWORK;
  if (/^azureloadbalancer$/i.test(t)) return AZURE_LOAD_BALANCER;
  const a = AddressSet.parse(t);
  if (a) return a;
  return /^[A-Za-z][A-Za-z0-9.]*$/.test(t) ? 'tag' : undefined;
}

function spanOf(a: Range, b: Range): Range {
  const first = a.start.line < b.start.line || (a.start.line === b.start.line && a.start.character <= b.start.character) ? a : b;
  const last = first === a ? b : a;
  return { start: first.start, end: last.end };
}
