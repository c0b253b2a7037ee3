import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'node:test';
import { analyseExposure, sourcesFor } from '../../../server/src/analysis/exposure';
import { parseFirewalld } from '../../../server/src/formats/firewalld/parse';
import { AddressSet } from '../../../server/src/model/addresses';
import { CORPUS, ctx } from './helpers';

const parse = (text: string, p = '/etc/firewalld/zones/test.xml') => parseFirewalld(text, { ...ctx, path: p });

test('zone: services, ports, rich rules, target', () => {
  const rs = parse(`<?xml version="1.0" encoding="utf-8"?>
<zone target="DROP">
  <service name="ssh"/>
  <port port="8000-8010" protocol="tcp"/>
  <rule family="ipv4"><source address="192.0.2.0/24"/><port port="5432" protocol="tcp"/><accept/></rule>
  <rule family="ipv4"><source address="198.51.100.0/24"/><service name="ssh"/><reject/></rule>
</zone>`);
  assert.deepEqual(rs.problems, []);
  const chain = rs.tables[0].chains[0];
  assert.equal(chain.policy, 'drop');
  assert.equal(chain.name, 'test');
  const ce = analyseExposure(rs).chains.find((c) => c.family === 'ipv4')!;
  assert.ok(sourcesFor(ce, 'tcp', 22).equals(AddressSet.ANY_V4.subtract(AddressSet.parse('198.51.100.0/24')!)));
  assert.ok(sourcesFor(ce, 'tcp', 8005).isAnyV4());
  assert.ok(sourcesFor(ce, 'tcp', 5432).equals(AddressSet.parse('192.0.2.0/24')!));
  assert.ok(sourcesFor(ce, 'tcp', 23).isEmpty());
  // The service name is a port item, so the port hover explains it.
  const items = chain.rules.flatMap((r) => r.conditions).flatMap((c) => (c.kind === 'dport' ? c.items : []));
  assert.ok(items.some((i) => i.service === 'ssh' && i.lo === 22 && i.range.start.line === 2));
});

test('zone sources restrict the zone; unknown service and bad XML are reported', () => {
  const rs = parse('<zone target="ACCEPT"><source address="10.0.0.0/8"/></zone>');
  const ce = analyseExposure(rs).chains.find((c) => c.family === 'ipv4')!;
  assert.ok(sourcesFor(ce, 'udp', 53).equals(AddressSet.parse('10.0.0.0/8')!));
  assert.deepEqual(parse('<zone><service name="no-such-service"/></zone>').problems.map((p) => p.code), ['PC011']);
  assert.deepEqual(parse('<zone><service name="ssh"></zone>').problems.map((p) => p.code), ['PC001']);
  assert.deepEqual(parse('<zone><port port="99999" protocol="tcp"/></zone>').problems.map((p) => p.code), ['PC002']);
});

test('every firewalld XML in the corpus parses with no error', (t) => {
  const base = path.join(CORPUS, 'firewalld');
  if (!fs.existsSync(base)) return t.skip(`corpus not found at ${CORPUS}`);
  let n = 0;
  for (const d of ['zones', 'services', 'policies', 'icmptypes', 'helpers']) {
    for (const f of fs.readdirSync(path.join(base, d)).filter((x) => x.endsWith('.xml'))) {
      const p = path.join(base, d, f);
      assert.deepEqual(parse(fs.readFileSync(p, 'utf8'), p).problems, [], `${d}/${f}`);
      n++;
    }
  }
  assert.ok(n >= 289, `${n} files`);
});
