/**
 * IntervalSet against a brute-force oracle on thousands of seeded cases. Bounds are drawn from a few clusters —
 * small numbers, around 2^53 (where the set switches between its number and bigint forms) and near 2^128 — so
 * every operation meets both forms and their mix. The oracle is membership: for every probe point x,
 * (A op B).has(x) must equal A.has(x) op B.has(x), and every result must be sorted, disjoint and non-adjacent.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import { IntervalSet, type Interval } from '../../../server/src/model/intervals';

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
