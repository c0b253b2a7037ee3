import * as ipaddr from 'ipaddr.js';
import { IntervalSet } from './intervals';

export type Family = 'ipv4' | 'ipv6';

const MAX: Record<Family, bigint> = { ipv4: (1n << 32n) - 1n, ipv6: (1n << 128n) - 1n };
const BITS: Record<Family, bigint> = { ipv4: 32n, ipv6: 128n };

function toBig(addr: ipaddr.IPv4 | ipaddr.IPv6): bigint {
  let n = 0n;
  for (const b of addr.toByteArray()) n = (n << 8n) | BigInt(b);
  return n;
}

function fromBig(n: bigint, family: Family): string {
  const bytes: number[] = [];
  const count = family === 'ipv4' ? 4 : 16;
  for (let k = 0; k < count; k++) bytes.unshift(Number((n >> BigInt(8 * k)) & 0xffn));
  return ipaddr.fromByteArray(bytes).toString();
}

/** A set of IPv4 and IPv6 addresses, as intervals per family. */
export class AddressSet {
  private constructor(
    readonly v4: IntervalSet,
    readonly v6: IntervalSet,
  ) {}

  static readonly NONE = new AddressSet(IntervalSet.EMPTY, IntervalSet.EMPTY);
  static readonly ANY_V4 = new AddressSet(IntervalSet.of(0n, MAX.ipv4), IntervalSet.EMPTY);
  static readonly ANY_V6 = new AddressSet(IntervalSet.EMPTY, IntervalSet.of(0n, MAX.ipv6));
  static readonly ANY = new AddressSet(IntervalSet.of(0n, MAX.ipv4), IntervalSet.of(0n, MAX.ipv6));

  /** Wraps raw interval sets; for analysis code that works on the numbers directly. */
  static of(v4: IntervalSet, v6: IntervalSet): AddressSet {
    return v4.isEmpty() && v6.isEmpty() ? AddressSet.NONE : new AddressSet(v4, v6);
  }

  static any(family: Family | 'both'): AddressSet {
    return family === 'ipv4' ? AddressSet.ANY_V4 : family === 'ipv6' ? AddressSet.ANY_V6 : AddressSet.ANY;
  }

  /**
   * Parses `a.b.c.d`, `a.b.c.d/nn`, `a.b.c.d/255.255.0.0`, IPv6 forms and `lo-hi` ranges.
   * Host bits beyond the prefix are ignored, as iptables does. Returns undefined for anything else.
   */
  static parse(text: string): AddressSet | undefined {
    const quick = parseV4Cidr(text);
    if (quick) return quick;
    const dash = text.indexOf('-');
    if (dash > 0) {
      const lo = parseAddr(text.slice(0, dash));
      const hi = parseAddr(text.slice(dash + 1));
      if (!lo || !hi || lo.kind() !== hi.kind()) return undefined;
      return AddressSet.fromInterval(familyOf(lo), toBig(lo), toBig(hi));
    }
    const slash = text.indexOf('/');
    const addr = parseAddr(slash < 0 ? text : text.slice(0, slash));
    if (!addr) return undefined;
    const family = familyOf(addr);
    let prefix = Number(BITS[family]);
    if (slash >= 0) {
      const p = text.slice(slash + 1);
      if (/^\d{1,3}$/.test(p)) prefix = Number(p);
      else if (family === 'ipv4' && ipaddr.IPv4.isValid(p) && /^\d+\.\d+\.\d+\.\d+$/.test(p)) {
        const mask = ipaddr.IPv4.parse(p).prefixLengthFromSubnetMask();
        if (mask === null) return undefined;
        prefix = mask;
      } else return undefined;
      if (prefix > Number(BITS[family])) return undefined;
    }
    const hostBits = BITS[family] - BigInt(prefix);
    const base = (toBig(addr) >> hostBits) << hostBits;
    return AddressSet.fromInterval(family, base, base + (1n << hostBits) - 1n);
  }

  static fromInterval(family: Family, lo: bigint, hi: bigint): AddressSet {
    const set = IntervalSet.of(lo, hi);
    return family === 'ipv4' ? new AddressSet(set, IntervalSet.EMPTY) : new AddressSet(IntervalSet.EMPTY, set);
  }

  isEmpty(): boolean {
    return this.v4.isEmpty() && this.v6.isEmpty();
  }

  /** Reuses this object when an operation changed nothing, which keeps the analysis's allocations down. */
  private make(v4: IntervalSet, v6: IntervalSet): AddressSet {
    if (v4 === this.v4 && v6 === this.v6) return this;
    if (v4.isEmpty() && v6.isEmpty()) return AddressSet.NONE;
    return new AddressSet(v4, v6);
  }
  union(o: AddressSet): AddressSet {
    return this.make(this.v4.union(o.v4), this.v6.union(o.v6));
  }
  intersect(o: AddressSet): AddressSet {
    return this.make(this.v4.intersect(o.v4), this.v6.intersect(o.v6));
  }
  subtract(o: AddressSet): AddressSet {
    return this.make(this.v4.subtract(o.v4), this.v6.subtract(o.v6));
  }
  /** [the part inside o, the part outside], as intersect and subtract would give, in one pass per family. */
  partition(o: AddressSet): [AddressSet, AddressSet] {
    const [in4, out4] = this.v4.partition(o.v4);
    const [in6, out6] = this.v6.partition(o.v6);
    return [this.make(in4, in6), this.make(out4, out6)];
  }
  /** Complement within both address spaces. */
  complement(): AddressSet {
    return new AddressSet(this.v4.complement(0n, MAX.ipv4), this.v6.complement(0n, MAX.ipv6));
  }
  restrict(family: Family | 'both'): AddressSet {
    return this.intersect(AddressSet.any(family));
  }
  covers(o: AddressSet): boolean {
    return this.v4.covers(o.v4) && this.v6.covers(o.v6);
  }
  equals(o: AddressSet): boolean {
    return o === this || this.v4.equals(o.v4) && this.v6.equals(o.v6);
  }
  isAnyV4(): boolean {
    return this.v4.equals(AddressSet.ANY_V4.v4);
  }
  isAnyV6(): boolean {
    return this.v6.equals(AddressSet.ANY_V6.v6);
  }
  has(text: string): boolean {
    const a = parseAddr(text);
    if (!a) return false;
    return (familyOf(a) === 'ipv4' ? this.v4 : this.v6).has(toBig(a));
  }

  /** The smallest list of CIDR blocks that covers exactly this set. */
  toCidrs(family?: Family): string[] {
    const out: string[] = [];
    for (const fam of ['ipv4', 'ipv6'] as const) {
      if (family && family !== fam) continue;
      const pairs = fam === 'ipv4' ? this.v4.numberPairs() : undefined;
      if (pairs) {
        for (const [lo, hi] of pairs) v4Cidrs(lo, hi, out);
        continue;
      }
      const bits = BITS[fam];
      for (const [lo0, hi] of (fam === 'ipv4' ? this.v4 : this.v6).intervals) {
        let lo = lo0;
        while (lo <= hi) {
          let size = 0n;
          while (size < bits && (lo & ((1n << (size + 1n)) - 1n)) === 0n && lo + (1n << (size + 1n)) - 1n <= hi) size++;
          out.push(`${fromBig(lo, fam)}/${bits - size}`);
          lo += 1n << size;
        }
      }
    }
    return out;
  }

  /** Human wording: "any IPv4 source", or a CIDR list shortened after a few entries. */
  describe(max = 4): string {
    const parts: string[] = [];
    if (this.isAnyV4()) parts.push('any IPv4 address');
    if (this.isAnyV6()) parts.push('any IPv6 address');
    const rest = [
      ...(this.isAnyV4() ? [] : this.toCidrs('ipv4')),
      ...(this.isAnyV6() ? [] : this.toCidrs('ipv6')),
    ];
    parts.push(...rest.slice(0, max));
    if (rest.length > max) parts.push(`${rest.length - max} more ranges`);
    return parts.length ? parts.join(', ') : 'no address';
  }
}

/** The CIDR blocks of one IPv4 interval, in numbers (the bigint loop below is the same for IPv6). */
function v4Cidrs(lo: number, hi: number, out: string[]): void {
  while (lo <= hi) {
    let size = 0;
    while (size < 32 && lo % 2 ** (size + 1) === 0 && lo + 2 ** (size + 1) - 1 <= hi) size++;
    out.push(`${lo >>> 24}.${(lo >>> 16) & 255}.${(lo >>> 8) & 255}.${lo & 255}/${32 - size}`);
    lo += 2 ** size;
  }
}

function parseAddr(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  // ipaddr.js accepts legacy forms such as "10.1" or "0x7f.1"; firewalls expect dotted quads.
  if (text.includes(':')) return ipaddr.IPv6.isValid(text) ? ipaddr.IPv6.parse(text) : undefined;
  return ipaddr.IPv4.isValidFourPartDecimal(text) ? ipaddr.IPv4.parse(text) : undefined;
}

function familyOf(a: ipaddr.IPv4 | ipaddr.IPv6): Family {
  return a.kind() === 'ipv4' ? 'ipv4' : 'ipv6';
}

export function isAddressLiteral(text: string): boolean {
  return parseAddr(text.split('/')[0]) !== undefined;
}

/**
 * Fast path for the common `a.b.c.d[/nn]` form, which dominates large rulesets: one scan, numbers only. Leading
 * zeros are refused (as the general path does: `010` is not an octet firewalls agree on).
 */
function parseV4Cidr(text: string): AddressSet | undefined {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  let k = 0;
  for (; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c >= 48 && c <= 57) {
      if (digits === 1 && octet === 0) return undefined;
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return undefined;
    } else if (c === 46 /* . */ && dots < 3 && digits) {
      value = value * 256 + octet;
      octet = digits = 0;
      dots++;
    } else break;
  }
  if (dots !== 3 || !digits) return undefined;
  value = value * 256 + octet;
  let prefix = 32;
  if (k < text.length) {
    if (text.charCodeAt(k) !== 47 /* / */ || k + 1 === text.length || text.length - k - 1 > 2) return undefined;
    prefix = 0;
    for (let j = k + 1; j < text.length; j++) {
      const c = text.charCodeAt(j);
      if (c < 48 || c > 57) return undefined;
      prefix = prefix * 10 + (c - 48);
    }
    if (prefix > 32) return undefined;
  }
  const size = 2 ** (32 - prefix);
  const base = value - (value % size);
  return AddressSet.of(IntervalSet.ofNumbers(base, base + size - 1), IntervalSet.EMPTY);
}
