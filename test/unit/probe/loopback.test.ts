/** The probe engine against listeners this test opens on loopback (127.0.0.1 and ::1 only). */
import assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { after, before, test } from 'node:test';
import { openSockets, probe } from '../../../server/src/probe/probe';
import { PortListError, parsePortList } from '../../../server/src/probe/ports';

let tcpOpen: net.Server;
let udpEcho: dgram.Socket;
let openPort = 0;
let udpPort = 0;
let closedPort = 0;

before(async () => {
  tcpOpen = net.createServer((s) => s.end('SSH-2.0-portcullis-test\r\n'));
  await new Promise<void>((r) => tcpOpen.listen(0, '127.0.0.1', r));
  openPort = (tcpOpen.address() as net.AddressInfo).port;
  udpEcho = dgram.createSocket('udp4');
  udpEcho.on('message', (m, from) => udpEcho.send(Buffer.from('pong'), from.port, from.address));
  await new Promise<void>((r) => udpEcho.bind(0, '127.0.0.1', r));
  udpPort = udpEcho.address().port;
  // A port that was just free: nothing listens, so the kernel answers RST (TCP) / ICMP unreachable (UDP).
  const tmp = net.createServer();
  await new Promise<void>((r) => tmp.listen(0, '127.0.0.1', r));
  closedPort = (tmp.address() as net.AddressInfo).port;
  await new Promise<void>((r) => tmp.close(() => r()));
});

after(() => {
  tcpOpen.close();
  udpEcho.close();
});

test('TCP on loopback: open (with banner) and closed', async () => {
  const run = await probe(
    '127.0.0.1',
    [
      { port: openPort, protocol: 'tcp' },
      { port: closedPort, protocol: 'tcp' },
    ],
    { timeoutMs: 1000 },
  );
  const [open, closed] = run.results;
  assert.equal(run.address, '127.0.0.1');
  assert.equal(open.state, 'open');
  assert.match(open.banner ?? '', /SSH-2\.0-portcullis-test/);
  assert.equal(closed.state, 'closed');
  assert.equal(closed.reason, 'conn-refused');
  assert.equal(openSockets.tcp.size, 0);
});

test('UDP on loopback: a reply is open, an ICMP port-unreachable is closed', async () => {
  const run = await probe(
    '127.0.0.1',
    [
      { port: udpPort, protocol: 'udp' },
      { port: closedPort, protocol: 'udp' },
    ],
    { timeoutMs: 500, retries: 1 },
  );
  assert.equal(run.results[0].state, 'open');
  assert.equal(run.results[1].state, 'closed');
  assert.equal(run.results[1].reason, 'port-unreach');
  assert.equal(openSockets.udp.size, 0);
});

test('host names resolve once and report the address used', async () => {
  const run = await probe('localhost', [{ port: openPort, protocol: 'tcp' }], { timeoutMs: 1000 });
  assert.ok(['127.0.0.1', '::1'].includes(run.address));
});

test('IPv6 loopback', async (t) => {
  const s6 = net.createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      s6.once('error', reject);
      s6.listen(0, '::1', resolve);
    });
  } catch {
    t.skip('::1 is not available on this machine');
    return;
  }
  const run = await probe('::1', [{ port: (s6.address() as net.AddressInfo).port, protocol: 'tcp' }], { timeoutMs: 1000, banner: false });
  s6.close();
  assert.equal(run.results[0].state, 'open');
});

test('cancellation stops at once and closes every socket', async () => {
  // A port list long enough that it cannot finish before the abort.
  const ports = parsePortList('1-2000');
  const ac = new AbortController();
  const started = performance.now();
  const pending = probe('127.0.0.1', ports, { timeoutMs: 5000, concurrency: 50 }, { signal: ac.signal });
  setTimeout(() => ac.abort(), 20);
  const run = await pending;
  const elapsed = performance.now() - started;
  assert.equal(run.cancelled, true);
  assert.ok(run.results.length < ports.length);
  assert.ok(elapsed < 1000, `took ${elapsed.toFixed(0)} ms`);
  assert.equal(openSockets.tcp.size + openSockets.udp.size, 0);
});

test('port lists: ranges, protocols, clear errors, a hard cap', () => {
  assert.deepEqual(parsePortList('22, 80-81,53/udp'), [
    { port: 22, protocol: 'tcp' },
    { port: 80, protocol: 'tcp' },
    { port: 81, protocol: 'tcp' },
    { port: 53, protocol: 'udp' },
  ]);
  assert.throws(() => parsePortList('22,abc'), PortListError);
  assert.throws(() => parsePortList('70000'), /1-65535/);
  assert.throws(() => parsePortList('90-80'), /reversed/);
  assert.throws(() => parsePortList('1-65535', ['tcp', 'udp']), /more than/);
});
