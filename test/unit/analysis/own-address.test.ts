/**
 * Host-to-own-address traffic (docs/architecture.md, "Loopback and the host's own addresses"): a connection from
 * this host to one of its own non-loopback addresses goes over `lo` with that address as its source. The decision:
 * the exposure model does not report it. Loopback entries stand for 127.0.0.0/8 and ::1 only, the host's own
 * addresses are neither a remote source nor loopback, and no finding is raised about them. These tests hold that.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import { LOOPBACK_SOURCES, sourcesFor } from '../../../server/src/analysis/exposure';
import { analyseRules, filterTable } from '../../support/analyse';

// The common loopback rule: under policy DROP the kernel drops 10.9.9.1 → 10.9.9.1 on lo (checked in a netns).
const text = filterTable(['-A INPUT -i lo -s 127.0.0.0/8 -j ACCEPT', '-A INPUT -p tcp --dport 443 -j ACCEPT']);

test('loopback exposure is 127.0.0.0/8 (and ::1) only: the host’s own addresses on lo are not modelled', () => {
  const fa = analyseRules(text);
  const input = fa.exposure.chains.find((c) => c.hook === 'input' && c.family === 'ipv4')!;
  assert.ok(input.ifaceClasses.includes('lo'));
  for (const port of [22, 443, 8022]) assert.deepEqual(sourcesFor(input, 'tcp', port, 'lo').toCidrs(), ['127.0.0.0/8']);
  // Every grant on lo lies within the loopback sources, whatever the rules say about other addresses.
  for (const g of input.grants.filter((x) => x.iface === 'lo')) assert.ok(LOOPBACK_SOURCES.covers(g.sources));
});

test('a rule naming a private source on lo changes nothing on lo and raises nothing about own-address traffic', () => {
  const withOwn = filterTable(['-A INPUT -i lo -s 10.9.9.0/24 -j DROP', '-A INPUT -i lo -j ACCEPT', '-A INPUT -p tcp --dport 443 -j ACCEPT']);
  const fa = analyseRules(withOwn);
  const input = fa.exposure.chains.find((c) => c.hook === 'input' && c.family === 'ipv4')!;
  assert.deepEqual(sourcesFor(input, 'tcp', 8022, 'lo').toCidrs(), ['127.0.0.0/8']);
  // The drop can never match a modelled loopback packet, so it is not credited with anything either.
  assert.ok(!fa.exposure.reached.has(fa.ruleset.tables[0].chains.find((c) => c.name === 'INPUT')!.rules[0].id));
  assert.ok(!fa.findings.some((f) => /own address/i.test(f.message)));
});
