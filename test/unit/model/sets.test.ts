import assert from 'node:assert/strict';
import test from 'node:test';
import { AddressSet } from '../../../server/src/model/addresses';
import { PortSet } from '../../../server/src/model/ports';
import { IntervalSet } from '../../../server/src/model/intervals';

test('PortSet: union, intersection, subtraction and complement are interval-exact', () => {
  const a = PortSet.fromRanges([
    [20, 25],
    [80, 80],
    [1000, 2000],
  ]);
  const b = PortSet.fromRanges([
    [22, 22],
    [1500, 3000],
  ]);
  assert.deepEqual(a.union(b).ranges(), [
    [20, 25],
    [80, 80],
    [1000, 3000],
  ]);
  assert.deepEqual(a.intersect(b).ranges(), [
    [22, 22],
    [1500, 2000],
  ]);
  assert.deepEqual(a.subtract(b).ranges(), [
    [20, 21],
    [23, 25],
    [80, 80],
    [1000, 1499],
  ]);
  assert.deepEqual(PortSet.single(0).complement().ranges(), [[1, 65535]]);
  assert.ok(PortSet.ALL.isAll());
  assert.equal(PortSet.range(1, 1024).size(), 1024);
  assert.ok(a.has(1234) && !a.has(26));
  assert.equal(a.toString(), '20-25,80,1000-2000');
});

test('PortSet: adjacent ranges merge and out-of-range bounds are clamped', () => {
  assert.deepEqual(
    PortSet.fromRanges([
      [1, 5],
      [6, 9],
    ]).ranges(),
    [[1, 9]],
  );
  assert.deepEqual(PortSet.range(-5, 70000).ranges(), [[0, 65535]]);
  assert.ok(PortSet.range(10, 5).isEmpty());
});

test('AddressSet: CIDR, netmask and range forms parse for IPv4 and IPv6', () => {
  assert.deepEqual(AddressSet.parse('10.1.2.3/8')!.toCidrs(), ['10.0.0.0/8']);
  assert.deepEqual(AddressSet.parse('192.168.0.0/255.255.0.0')!.toCidrs(), ['192.168.0.0/16']);
  assert.deepEqual(AddressSet.parse('10.0.0.1-10.0.0.6')!.toCidrs(), ['10.0.0.1/32', '10.0.0.2/31', '10.0.0.4/31', '10.0.0.6/32']);
  assert.deepEqual(AddressSet.parse('2001:db8::1/32')!.toCidrs(), ['2001:db8::/32']);
  assert.deepEqual(AddressSet.parse('::/0')!.toCidrs(), ['::/0']);
  assert.ok(AddressSet.parse('0.0.0.0/0')!.isAnyV4());
});

test('AddressSet: malformed input is rejected, not guessed', () => {
  for (const bad of ['300.1.2.3', '10.0.0.0/33', '1.2.3', '0x7f.1', 'fe80::zz', '10.0.0.0/255.0.255.0', ''])
    assert.equal(AddressSet.parse(bad), undefined, bad);
});

test('AddressSet: set algebra keeps families apart', () => {
  const any = AddressSet.ANY;
  const lan = AddressSet.parse('192.168.0.0/16')!;
  const rest = any.subtract(lan);
  assert.ok(!rest.has('192.168.1.1') && rest.has('8.8.8.8') && rest.has('2001:db8::1'));
  assert.ok(rest.union(lan).equals(any));
  assert.ok(lan.complement().complement().equals(lan));
  assert.ok(AddressSet.ANY_V4.intersect(AddressSet.ANY_V6).isEmpty());
  assert.equal(AddressSet.ANY_V4.describe(), 'any IPv4 address');
});

test('IntervalSet.partition equals [intersect, subtract] on random sets (seeded, 2,000 cases)', () => {
  let seed = 7;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const randomSet = () =>
    IntervalSet.from(
      Array.from({ length: rnd(6) }, () => {
        const lo = BigInt(rnd(200));
        return [lo, lo + BigInt(rnd(40))] as const;
      }),
    );
  for (let k = 0; k < 2000; k++) {
    const a = randomSet();
    const b = randomSet();
    const [inside, outside] = a.partition(b);
    assert.ok(inside.equals(a.intersect(b)), `inside ${k}`);
    assert.ok(outside.equals(a.subtract(b)), `outside ${k}`);
  }
});
