/** RuleMap and RuleIds read like a Map and a Set, for the ids parsers give and for any other number. */
import assert from 'node:assert/strict';
import test from 'node:test';
import { RuleIds, RuleMap } from '../../../server/src/analysis/rule-map';

test('RuleMap answers as a Map does, in the order ids were first set, inside and outside its span', () => {
  const map = new RuleMap<string>(4);
  const ref = new Map<number, string>();
  // Ids inside the span, beyond it, negative (synthetic rules) and not integers (hand-made ones).
  for (const [id, v] of [[2, 'a'], [9, 'b'], [0, 'c'], [-1, 'd'], [2, 'e'], [1.5, 'f'], [3, 'g']] as const) {
    map.set(id, v);
    ref.set(id, v);
  }
  assert.equal(map.size, ref.size);
  assert.deepEqual([...map], [...ref]);
  assert.deepEqual([...map.keys()], [...ref.keys()]);
  assert.deepEqual([...map.values()], [...ref.values()]);
  const seen: [number, string][] = [];
  map.forEach((v, id) => seen.push([id, v]));
  assert.deepEqual(seen, [...ref.entries()]);
  for (const id of [-1, 0, 1, 1.5, 2, 3, 4, 9, 10]) {
    assert.equal(map.get(id), ref.get(id), `get(${id})`);
    assert.equal(map.has(id), ref.has(id), `has(${id})`);
  }
  assert.equal(new RuleMap<string>(0).size, 0);
});

test('RuleIds answers as a Set does, bitmap ids and others alike; ids ascending, then the others as added', () => {
  const ids = new RuleIds();
  const ref = new Set<number>();
  for (const id of [5, 3, 5, 5000, -1, 3, 1 << 25, 0, -1]) {
    ids.add(id);
    ref.add(id);
  }
  assert.equal(ids.size, ref.size);
  assert.deepEqual([...ids], [0, 3, 5, 5000, -1, 1 << 25]);
  for (const id of [-1, 0, 1, 3, 5, 6, 5000, 5001, 1 << 25, 2 ** 40]) assert.equal(ids.has(id), ref.has(id), `has(${id})`);
});
