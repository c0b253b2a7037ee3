/** Chain traversal that cannot overflow: 10,000 nested jumps and 10,000 chains jumped to from INPUT, analysed exactly. */
import assert from 'node:assert/strict';
import test from 'node:test';
import { analyseExposure, sourcesFor, type ChainExposure } from '../../../server/src/analysis/exposure';
import { AddressSet } from '../../../server/src/model/addresses';
import { parseIptables } from '../../../server/src/formats/iptables/parse';
import { deepChain, net, wideChains } from '../../support/big-rulesets';

const ctx = { resolveService: () => undefined };
const inputOf = (text: string): ChainExposure => analyseExposure(parseIptables(text, ctx)).chains.find((c) => c.chain.name === 'INPUT')!;
const N = 10_000;

test('10,000 nested jumps: followed to the bottom, no stack overflow, exact result', () => {
  const ce = inputOf(deepChain(N));
  const all = AddressSet.parse('0.0.0.0/0')!;
  // The N consecutive /24s from 10.0.0.0 on.
  const returned = AddressSet.parse(`10.0.0.0-${net(N - 1).replace('.0/24', '.255')}`)!;
  // SSH is accepted only at the bottom, by everything no chain on the way returned.
  assert.ok(sourcesFor(ce, 'tcp', 22).equals(all.subtract(returned)));
  for (const i of [0, 1, 63, 64, 65, 5000, N - 1]) assert.ok(sourcesFor(ce, 'tcp', 20000 + i).equals(all), `port ${20000 + i}`);
  assert.ok(sourcesFor(ce, 'tcp', 20000 + N).isEmpty());
  assert.ok(sourcesFor(ce, 'udp', 22).isEmpty());
  assert.ok(ce.grants.every((g) => !g.approximate), 'nothing approximated');
});

test('10,000 chains jumped to from INPUT: each grants exactly its own network and port', () => {
  const ce = inputOf(wideChains(N));
  for (const i of [0, 1, 255, 256, 4097, N - 1]) {
    assert.deepEqual(sourcesFor(ce, 'tcp', 20000 + i).toCidrs(), [net(i)], `port ${20000 + i}`);
  }
  assert.ok(sourcesFor(ce, 'tcp', 22).isEmpty());
  assert.equal(new Set(ce.grants.map((g) => g.rule?.id)).size, N);
});

test('a jump whose target cannot act on the packets still counts as reached, and the target as considered', () => {
  const text = [
    '*filter',
    ':INPUT DROP [0:0]',
    ':A - [0:0]',
    '-A INPUT -p tcp --dport 22 -j A',
    '-A A -p udp -j ACCEPT',
    'COMMIT',
    '',
  ].join('\n');
  const rs = parseIptables(text, ctx);
  const ex = analyseExposure(rs);
  const rules = rs.tables[0].chains.flatMap((c) => c.rules);
  assert.equal(rules.length, 2);
  assert.ok(ex.reached.has(rules[0].id), 'the jump is reached by TCP 22');
  assert.ok(ex.considered.has(rules[1].id), 'the target rule is considered');
});

test('exponentially many paths: the walk stops at its budget and says so instead of running for ever', () => {
  // D0 jumps to D1 twice, D1 to D2 twice … : 2^40 paths, each still carrying packets (a chain accepts one port
  // from 192.168.0.0/16 only and returns the rest).
  const n = 40;
  const lines = ['*filter', ':INPUT DROP [0:0]'];
  for (let i = 0; i <= n; i++) lines.push(`:D${i} - [0:0]`);
  lines.push('-A INPUT -j D0');
  for (let i = 0; i < n; i++)
    lines.push(
      `-A D${i} -s 192.168.0.0/16 -p tcp --dport ${1000 + i} -j ACCEPT`,
      `-A D${i} -s 10.0.0.0/8 -j D${i + 1}`,
      `-A D${i} -j D${i + 1}`,
    );
  lines.push(`-A D${n} -p tcp --dport 3389 -j ACCEPT`, 'COMMIT', '');
  const ce = inputOf(lines.join('\n'));
  const rdp = ce.grants.filter((g) => g.protocol === 'tcp' && g.ports.has(3389));
  assert.ok(rdp.length > 0, 'RDP is reported as reachable');
  assert.ok(sourcesFor(ce, 'tcp', 3389).equals(AddressSet.parse('0.0.0.0/0')!));
  assert.ok(ce.grants.some((g) => g.approximate && g.reasons.some((r) => /not followed/.test(r))), 'the cut-off is marked approximate');
});
