/**
 * IntervalSet, PortSet and AddressSet against brute-force oracles on thousands of seeded cases. The first test
 * draws bounds from a few clusters — small numbers, around 2^53 (where the set switches between its number and
 * bigint forms) and near 2^128 — so every operation meets both forms and their mix. The oracle is membership: for every probe point x,
 * (A op B).has(x) must equal A.has(x) op B.has(x), and every result must be sorted, disjoint and non-adjacent.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import { AddressSet } from '../../../server/src/model/addresses';
import { IntervalSet, type Interval } from '../../../server/src/model/intervals';
import { PortSet } from '../../../server/src/model/ports';

const CLUSTERS = [0n, (1n << 53n) - 8n, (1n << 128n) - 40n];

/** xorshift32: the same cases on every run. */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return (n: number) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % n;
  };
}

function randomIntervals(r: (n: number) => number): Interval[] {
  const out: Interval[] = [];
  for (let k = r(5); k > 0; k--) {
    const base = CLUSTERS[r(CLUSTERS.length)];
    const lo = base + BigInt(r(30));
    out.push([lo, lo + BigInt(r(10))]);
  }
  return out;
}

const POINTS = CLUSTERS.flatMap((c) => Array.from({ length: 42 }, (_, k) => c + BigInt(k) - 1n)).filter((x) => x >= 0n && x < 1n << 128n);

function bruteHas(list: Interval[], x: bigint): boolean {
  return list.some(([lo, hi]) => lo <= x && x <= hi);
}

function assertNormal(s: IntervalSet, what: string) {
  const iv = s.intervals;
  for (let k = 0; k < iv.length; k++) {
    assert.ok(iv[k][0] <= iv[k][1], `${what}: empty interval`);
    if (k) assert.ok(iv[k][0] > iv[k - 1][1] + 1n, `${what}: overlapping or adjacent intervals`);
  }
}

test('IntervalSet agrees with a brute-force membership oracle on 3,000 seeded cases across number and bigint forms', () => {
  const r = rng(20261206);
  for (let n = 0; n < 3000; n++) {
    const la = randomIntervals(r);
    const lb = randomIntervals(r);
    const a = IntervalSet.from(la);
    const b = IntervalSet.from(lb);
    const [inside, outside] = a.partition(b);
    const ops: [string, IntervalSet, (x: bigint) => boolean][] = [
      ['union', a.union(b), (x) => bruteHas(la, x) || bruteHas(lb, x)],
      ['intersect', a.intersect(b), (x) => bruteHas(la, x) && bruteHas(lb, x)],
      ['subtract', a.subtract(b), (x) => bruteHas(la, x) && !bruteHas(lb, x)],
      ['partition/inside', inside, (x) => bruteHas(la, x) && bruteHas(lb, x)],
      ['partition/outside', outside, (x) => bruteHas(la, x) && !bruteHas(lb, x)],
      ['complement', a.complement(0n, (1n << 128n) - 1n), (x) => !bruteHas(la, x)],
    ];
    for (const [name, set, expect] of ops) {
      const what = `case ${n} ${name} of ${JSON.stringify(la, (_, v) => (typeof v === 'bigint' ? String(v) : v))}`;
      assertNormal(set, what);
      for (const x of POINTS) assert.equal(set.has(x), expect(x), `${what} at ${x}`);
    }
    assert.equal(a.covers(b), POINTS.every((x) => !bruteHas(lb, x) || bruteHas(la, x)) && b.subtract(a).isEmpty());
    assert.equal(a.overlaps(b), POINTS.some((x) => bruteHas(la, x) && bruteHas(lb, x)));
    assert.equal(a.union(b).equals(b.union(a)), true);
    assert.equal(a.equals(IntervalSet.from([...la].reverse())), true);
    const size = a.intervals.reduce((sum, [lo, hi]) => sum + hi - lo + 1n, 0n);
    assert.equal(a.size(), size);
  }
});

/**
 * The number form on the bounds the analysis uses: ports, IPv4 (up to 2^32 − 1) and the exposure walk's IPv4
 * keyed by interface class (above 2^32), with intervals long enough to nest and touch. Membership is checked at
 * every bound and its neighbours, which is where a sweep goes wrong.
 */
test('IntervalSet number form agrees with the oracle on 3,000 seeded cases of port, IPv4 and keyed-IPv4 bounds', () => {
  const r = rng(4242);
  const bases = [0, 65500, 2 ** 32 - 300, 3 * 2 ** 32 - 100];
  const draw = (): Interval[] => {
    const out: Interval[] = [];
    const base = bases[r(bases.length)];
    for (let k = r(7); k > 0; k--) {
      const lo = base + r(400);
      out.push([BigInt(lo), BigInt(lo + (r(4) ? r(20) : r(300)))]);
    }
    return out;
  };
  for (let n = 0; n < 3000; n++) {
    const la = draw();
    const lb = r(10) ? draw() : la.slice(0, 1 + r(2));
    const a = IntervalSet.from(la);
    const b = IntervalSet.from(lb);
    const points = [...la, ...lb].flatMap(([lo, hi]) => [lo - 1n, lo, lo + 1n, hi - 1n, hi, hi + 1n]);
    const [inside, outside] = a.partition(b);
    const ops: [string, IntervalSet, (x: bigint) => boolean][] = [
      ['union', a.union(b), (x) => bruteHas(la, x) || bruteHas(lb, x)],
      ['intersect', a.intersect(b), (x) => bruteHas(la, x) && bruteHas(lb, x)],
      ['subtract', a.subtract(b), (x) => bruteHas(la, x) && !bruteHas(lb, x)],
      ['partition/inside', inside, (x) => bruteHas(la, x) && bruteHas(lb, x)],
      ['partition/outside', outside, (x) => bruteHas(la, x) && !bruteHas(lb, x)],
      ['complement', a.complement(0n, (1n << 34n) - 1n), (x) => x >= 0n && x < 1n << 34n && !bruteHas(la, x)],
    ];
    for (const [name, set, expect] of ops) {
      const what = `number case ${n} ${name}`;
      assertNormal(set, what);
      for (const x of points) assert.equal(set.has(x), expect(x), `${what} at ${x}`);
      // The same set built from its own intervals (and so in canonical form) is equal to it.
      assert.ok(set.equals(IntervalSet.from(set.intervals)), `${what}: not canonical`);
    }
    assert.equal(a.covers(b), lb.every(([lo, hi]) => a.has(lo) && a.subtract(IntervalSet.of(lo, hi)).size() === a.size() - (hi - lo + 1n)));
    assert.equal(a.overlaps(b), points.some((x) => bruteHas(la, x) && bruteHas(lb, x)));
    assert.equal(a.equals(b), points.every((x) => bruteHas(la, x) === bruteHas(lb, x)) && a.size() === b.size());
  }
});

/** A port set as 65,536 booleans: the simplest possible model of one. */
function portBits(ranges: [number, number][]): Uint8Array {
  const bits = new Uint8Array(65536);
  for (const [lo, hi] of ranges) for (let p = Math.max(0, lo); p <= Math.min(65535, hi); p++) bits[p] = 1;
  return bits;
}

function bitsToRanges(bits: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  for (let p = 0; p < 65536; p++) {
    if (!bits[p]) continue;
    const lo = p;
    while (p + 1 < 65536 && bits[p + 1]) p++;
    out.push([lo, p]);
  }
  return out;
}

test('PortSet agrees with a 65,536-bit bitmap on 400 seeded cases, every port checked', () => {
  const r = rng(8080);
  const draw = (): [number, number][] =>
    Array.from({ length: r(6) }, () => {
      const lo = r(4) ? r(2000) : 65536 - r(3000);
      return [lo, lo + (r(3) ? r(50) : r(5000))] as [number, number];
    });
  for (let n = 0; n < 400; n++) {
    const la = draw();
    const lb = draw();
    const a = PortSet.fromRanges(la);
    const b = PortSet.fromRanges(lb);
    const A = portBits(la);
    const B = portBits(lb);
    const expect = (f: (x: number, y: number) => number) => bitsToRanges(A.map((x, p) => f(x, B[p])));
    assert.deepEqual(a.ranges(), bitsToRanges(A), `case ${n}: fromRanges`);
    assert.deepEqual(a.union(b).ranges(), expect((x, y) => x | y), `case ${n}: union`);
    assert.deepEqual(a.intersect(b).ranges(), expect((x, y) => x & y), `case ${n}: intersect`);
    assert.deepEqual(a.subtract(b).ranges(), expect((x, y) => x & (1 - y)), `case ${n}: subtract`);
    assert.deepEqual(a.complement().ranges(), expect((x) => 1 - x), `case ${n}: complement`);
    assert.equal(a.covers(b), B.every((y, p) => !y || A[p] === 1), `case ${n}: covers`);
    assert.equal(a.overlaps(b), B.some((y, p) => y === 1 && A[p] === 1), `case ${n}: overlaps`);
    assert.equal(a.equals(b), A.every((x, p) => x === B[p]), `case ${n}: equals`);
    assert.equal(a.size(), A.reduce((s, x) => s + x, 0), `case ${n}: size`);
    assert.equal(a.isAll(), A.every((x) => x === 1), `case ${n}: isAll`);
    for (let k = 0; k < 20; k++) {
      const p = r(65536);
      assert.equal(a.has(p), A[p] === 1, `case ${n}: has ${p}`);
    }
  }
});

function v4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** The textbook CIDR block of an address and prefix, with bigint arithmetic only. */
function cidrBlock(addr: bigint, prefix: number, bits: number): Interval {
  const host = BigInt(bits - prefix);
  const base = (addr >> host) << host;
  return [base, base + (1n << host) - 1n];
}

test('AddressSet agrees with the oracle on 600 seeded IPv4 and IPv6 cases: parse, set operations, toCidrs round trip', () => {
  const r = rng(1918);
  const v6Base = 0x20010db8n << 96n;
  const drawText = (): { text: string; v4: Interval[]; v6: Interval[] }[] =>
    Array.from({ length: 1 + r(4) }, () => {
      if (r(3)) {
        const addr = (r(4) ? 0x0a000000 + r(1 << 16) * 256 : 2 ** 32 - 1 - r(1 << 20)) + r(256);
        const prefix = 8 + r(25);
        return { text: `${v4(addr)}/${prefix}`, v4: [cidrBlock(BigInt(addr), prefix, 32)], v6: [] };
      }
      const addr = v6Base + (BigInt(r(1 << 16)) << 64n) + BigInt(r(1 << 30));
      const prefix = 32 + r(97);
      const hex = addr.toString(16).padStart(32, '0').match(/.{4}/g)!.join(':');
      return { text: `${hex}/${prefix}`, v4: [], v6: [cidrBlock(addr, prefix, 128)] };
    });
  const union = (parts: { text: string }[]) => parts.reduce((s, p) => s.union(AddressSet.parse(p.text)!), AddressSet.NONE);
  for (let n = 0; n < 600; n++) {
    const pa = drawText();
    const pb = drawText();
    const a = union(pa);
    const b = union(pb);
    const fam = (parts: typeof pa, f: 'v4' | 'v6') => parts.flatMap((p) => p[f]);
    const points = [...pa, ...pb].flatMap((p) => [...p.v4, ...p.v6].map((i) => ({ i, v6: p.v4.length === 0 })));
    const probes = points.flatMap(({ i: [lo, hi], v6 }) => [lo - 1n, lo, hi, hi + 1n].map((x) => ({ x, v6 })));
    const ops: [string, AddressSet, (inA: boolean, inB: boolean) => boolean][] = [
      ['union', a.union(b), (x, y) => x || y],
      ['intersect', a.intersect(b), (x, y) => x && y],
      ['subtract', a.subtract(b), (x, y) => x && !y],
      ['partition/inside', a.partition(b)[0], (x, y) => x && y],
      ['partition/outside', a.partition(b)[1], (x, y) => x && !y],
      ['complement', a.complement(), (x) => !x],
    ];
    for (const [name, set, f] of ops) {
      for (const { x, v6 } of probes) {
        const max = v6 ? (1n << 128n) - 1n : (1n << 32n) - 1n;
        if (x < 0n || x > max) continue;
        const inA = bruteHas(fam(pa, v6 ? 'v6' : 'v4'), x);
        const inB = bruteHas(fam(pb, v6 ? 'v6' : 'v4'), x);
        assert.equal((v6 ? set.v6 : set.v4).has(x), f(inA, inB), `case ${n} ${name} at ${x}`);
      }
      // toCidrs is exact: parsing its blocks back gives the same set.
      const back = set.toCidrs().reduce((s, c) => s.union(AddressSet.parse(c)!), AddressSet.NONE);
      assert.ok(back.equals(set), `case ${n} ${name}: toCidrs round trip ${set.toCidrs().join(' ')}`);
    }
    assert.equal(a.covers(b), b.subtract(a).isEmpty(), `case ${n}: covers`);
    assert.equal(a.equals(b), a.covers(b) && b.covers(a), `case ${n}: equals`);
  }
});
