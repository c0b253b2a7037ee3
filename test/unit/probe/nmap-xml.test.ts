/** Import of `nmap -oX` output: a recorded loopback scan, a live scan (when nmap exists), errors, constructed edge cases. */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { NmapXmlError, parseNmapXml } from '../../../server/src/probe/nmap-xml';

const FIXTURE = path.resolve(__dirname, '../../../../test/fixtures/nmap/loopback.xml');

/*
 * loopback.xml is a real nmap 7.93 run (as root), against listeners opened only on 127.0.0.1:
 *   47022/tcp sent "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3", 47053/udp echoed "pong", nothing else listened.
 *   nmap -sT -sU -sV -Pn -p T:47000-47030,U:47053,47054 -oX test/fixtures/nmap/loopback.xml 127.0.0.1
 * nmap folded the 31 closed ports into <extraports> with <extrareasons ports=…>, so they exercise the expansion too.
 */
test('recorded loopback scan: scanner, start, host, and every port state', () => {
  const scan = parseNmapXml(fs.readFileSync(FIXTURE, 'utf8'));
  assert.equal(scan.scanner, 'nmap 7.93');
  assert.equal(scan.startedAt, new Date(1796401230 * 1000).toISOString());
  assert.equal(scan.hosts.length, 1);
  const [host] = scan.hosts;
  assert.equal(host.address, '127.0.0.1');
  assert.equal(host.target, 'localhost'); // from <hostname name="localhost" type="PTR">
  assert.equal(host.cancelled, false);
  assert.equal(host.results.length, 31 + 2);

  const byKey = new Map(host.results.map((r) => [`${r.port}/${r.protocol}`, r]));
  // <times srtt="117"> µs → 0.1 ms, applied to every port of the host.
  assert.deepEqual(byKey.get('47022/tcp'), {
    port: 47022,
    protocol: 'tcp',
    state: 'open',
    reason: 'syn-ack',
    latencyMs: 0.1,
    banner: 'OpenSSH 9.2p1 Debian 2+deb12u3',
  });
  assert.deepEqual(byKey.get('47053/udp'), { port: 47053, protocol: 'udp', state: 'open', reason: 'udp-response', latencyMs: 0.1 });
  // Only present through <extrareasons ports=…>.
  assert.deepEqual(byKey.get('47054/udp'), { port: 47054, protocol: 'udp', state: 'closed', reason: 'port-unreach', latencyMs: 0.1 });
  const closedTcp = host.results.filter((r) => r.protocol === 'tcp' && r.state === 'closed');
  assert.equal(closedTcp.length, 30);
  assert.ok(closedTcp.every((r) => r.reason === 'conn-refused' && r.banner === undefined));
  assert.ok(!closedTcp.some((r) => r.port === 47022));

  // Sorted by protocol, then port.
  const keys = host.results.map((r) => `${r.protocol}:${String(r.port).padStart(5, '0')}`);
  assert.deepEqual(keys, [...keys].sort());
  assert.equal(host.results[0].port, 47000);
  assert.equal(host.results.at(-1)?.port, 47054);
});

const nmapMissing = spawnSync('nmap', ['--version']).error !== undefined;
const isRoot = process.getuid?.() === 0;

async function freePort(): Promise<number> {
  // Bind, read the port, release: nothing listens there afterwards, so TCP gets RST and UDP gets ICMP unreachable.
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test(
  'live: nmap against listeners on 127.0.0.1 parses to the expected states',
  { skip: nmapMissing ? 'nmap not installed (apt-get install nmap) — live import test skipped' : false, timeout: 60_000 },
  async (t) => {
    const tcp = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    const udp = dgram.createSocket('udp4');
    udp.on('message', (_m, from) => udp.send('pong', from.port, from.address));
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
    const openTcp = (tcp.address() as net.AddressInfo).port;
    const openUdp = udp.address().port;
    const closed = await freePort();
    try {
      // -sU needs raw sockets; without root only the TCP connect scan runs.
      const portArg = isRoot ? `T:${openTcp},${closed},U:${openUdp},${closed}` : `${openTcp},${closed}`;
      const args = ['-n', '-Pn', '-sT', ...(isRoot ? ['-sU'] : []), '--max-retries', '2', '-p', portArg, '-oX', '-', '127.0.0.1'];
      const { stdout } = await promisify(execFile)('nmap', args, { timeout: 50_000 });
      const scan = parseNmapXml(stdout);
      assert.match(scan.scanner, /^nmap \d/);
      assert.equal(scan.hosts.length, 1);
      const host = scan.hosts[0];
      assert.equal(host.target, '127.0.0.1'); // -n: no <hostname>, so the address
      const got = host.results.map((r) => [r.port, r.protocol, r.state, r.reason]);
      const want: unknown[] = [
        [Math.min(openTcp, closed), 'tcp', ...(openTcp < closed ? ['open', 'syn-ack'] : ['closed', 'conn-refused'])],
        [Math.max(openTcp, closed), 'tcp', ...(openTcp < closed ? ['closed', 'conn-refused'] : ['open', 'syn-ack'])],
      ];
      if (isRoot) {
        want.push(
          [Math.min(openUdp, closed), 'udp', ...(openUdp < closed ? ['open', 'udp-response'] : ['closed', 'port-unreach'])],
          [Math.max(openUdp, closed), 'udp', ...(openUdp < closed ? ['closed', 'port-unreach'] : ['open', 'udp-response'])],
        );
      } else {
        t.diagnostic('not root: UDP part of the live scan skipped');
      }
      assert.deepEqual(got, want);
    } finally {
      tcp.close();
      udp.close();
    }
  },
);

test('malformed XML reports the line; a foreign root element is refused', () => {
  assert.throws(
    () => parseNmapXml('<?xml version="1.0"?>\n<nmaprun scanner="nmap">\n<host>\n</nmaprun>\n'),
    (e: unknown) => {
      assert.ok(e instanceof NmapXmlError);
      assert.match(e.message, /^malformed XML at line 4: /);
      assert.equal(e.line, 4);
      return true;
    },
  );
  assert.throws(() => parseNmapXml('<nmaprun><host a="1></nmaprun>'), NmapXmlError);
  assert.throws(() => parseNmapXml(''), NmapXmlError);
  assert.throws(() => parseNmapXml('<?xml version="1.0"?>\n<zone><service name="ssh"/></zone>'), {
    name: 'NmapXmlError',
    message: /not an nmap XML file \(root element <zone>\)/,
  });
});

/*
 * A constructed example, not nmap output: it packs the cases the loopback scan cannot produce into one file —
 * IPv6 with a MAC next to it, a <hosthint>, the states only ACK/UDP/idle scans give, an sctp port,
 * old-style <extrareasons> without ports=, and no <times>.
 */
const CONSTRUCTED = `<?xml version="1.0"?>
<nmaprun scanner="nmap" version="7.94" start="1700000000">
<scaninfo type="ack" protocol="tcp" numservices="5" services="20-24"/>
<hosthint><status state="up"/><address addr="2001:db8::9" addrtype="ipv6"/><hostnames><hostname name="hint.example"/></hostnames></hosthint>
<host>
<address addr="2001:db8::1" addrtype="ipv6"/>
<address addr="00:11:22:33:44:55" addrtype="mac"/>
<ports>
<extraports state="filtered" count="3"><extrareasons reason="no-response" count="3"/></extraports>
<extraports state="unfiltered" count="3"><extrareasons reason="reset" count="3" ports="20-21,24"/></extraports>
<port protocol="tcp" portid="23"><state state="closed|filtered" reason="no-response"/></port>
<port protocol="udp" portid="53"><state state="open|filtered" reason="no-response"/><service name="domain" method="table"/></port>
<port protocol="sctp" portid="80"><state state="open" reason="init-ack"/></port>
<port protocol="tcp" portid="22"><state state="unfiltered" reason="reset"/></port>
</ports>
</host>
</nmaprun>`;

test('constructed edge cases: IPv6, MAC and hosthint ignored, state mapping, extrareasons with and without ports=', () => {
  const scan = parseNmapXml(CONSTRUCTED);
  assert.equal(scan.scanner, 'nmap 7.94');
  assert.equal(scan.startedAt, '2023-11-14T22:13:20.000Z');
  assert.equal(scan.hosts.length, 1);
  const [host] = scan.hosts;
  assert.equal(host.address, '2001:db8::1');
  assert.equal(host.target, '2001:db8::1');
  assert.deepEqual(host.results, [
    { port: 20, protocol: 'tcp', state: 'filtered', reason: 'unfiltered', latencyMs: 0 },
    { port: 21, protocol: 'tcp', state: 'filtered', reason: 'unfiltered', latencyMs: 0 },
    { port: 22, protocol: 'tcp', state: 'filtered', reason: 'unfiltered', latencyMs: 0 },
    { port: 23, protocol: 'tcp', state: 'filtered', reason: 'no-response', latencyMs: 0 },
    { port: 24, protocol: 'tcp', state: 'filtered', reason: 'unfiltered', latencyMs: 0 },
    { port: 53, protocol: 'udp', state: 'open|filtered', reason: 'no-response', latencyMs: 0, banner: 'domain' },
  ]);
});

test('extrareasons port lists: bad ranges are errors, a full range expands, more is refused', () => {
  const withPorts = (ports: string): string =>
    `<nmaprun><host><address addr="127.0.0.1" addrtype="ipv4"/><ports><extraports state="closed"><extrareasons reason="reset" proto="tcp" ports="${ports}"/></extraports></ports></host></nmaprun>`;
  assert.equal(parseNmapXml(withPorts('0-65535')).hosts[0].results.length, 65536);
  assert.throws(() => parseNmapXml(withPorts('0-65535,1')), /more than 65536 ports/);
  assert.throws(() => parseNmapXml(withPorts('90-80')), /reversed port range/);
  assert.throws(() => parseNmapXml(withPorts('1-70000')), /bad port number "70000"/);
});
