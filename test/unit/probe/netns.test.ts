/**
 * The probe engine against a real firewall: a target namespace (10.78.0.1) with listeners behind iptables
 * rules that DROP, REJECT with a TCP reset and REJECT with ICMP admin-prohibited, probed from a second
 * namespace (10.78.0.2) that can reach nothing else. Skips, saying why, without root / Linux / ip / iptables.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { RttEstimator } from '../../../server/src/probe/probe';
import { netnsUnavailable, ProbeLab, TARGET_ADDR } from '../../support/netns';

// Round-trip estimation needs no namespace.
test('RTT estimator: the maximum before any sample, then srtt + 4 * rttvar within [min, max]', () => {
  const e = new RttEstimator();
  assert.equal(e.timeout(100, 1000), 1000);
  e.sample(40); // srtt 40, rttvar 20 -> 120
  assert.equal(e.timeout(100, 1000), 120);
  for (let i = 0; i < 50; i++) e.sample(1); // a fast, steady path settles to the floor
  assert.equal(e.timeout(100, 1000), 100);
  e.sample(5000); // one huge outlier is capped by the maximum
  assert.equal(e.timeout(100, 1000), 1000);
});

const skip = netnsUnavailable();
const lab = new ProbeLab();

const TCP = { open: 8001, closed: 8002, dropped: 8003, reset: 8004, prohibited: 8005 };
const UDP = { open: 9001, closed: 9002, dropped: 9003, prohibited: 9004 };
/** A block of silent ports for the timing tests. */
const SILENT = Array.from({ length: 20 }, (_, i) => 8100 + i);

const RULES = `*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p tcp --dport ${TCP.dropped} -j DROP
-A INPUT -p tcp --dport 8100:8119 -j DROP
-A INPUT -p tcp --dport ${TCP.reset} -j REJECT --reject-with tcp-reset
-A INPUT -p tcp --dport ${TCP.prohibited} -j REJECT --reject-with icmp-admin-prohibited
-A INPUT -p udp --dport ${UDP.dropped} -j DROP
-A INPUT -p udp --dport ${UDP.prohibited} -j REJECT --reject-with icmp-admin-prohibited
COMMIT
`;

before(async () => {
  if (skip) return;
  lab.setup();
  // Listeners sit behind every rule, so each verdict comes from the firewall, not from an empty port.
  await lab.listen([TCP.open, TCP.dropped, TCP.reset, TCP.prohibited, ...SILENT], [UDP.open, UDP.dropped, UDP.prohibited]);
  lab.firewall(RULES);
});

after(() => lab.close());

test('every TCP and UDP verdict through a real iptables ruleset', { skip }, async () => {
  const ports = [
    ...Object.values(TCP).map((port) => ({ port, protocol: 'tcp' as const })),
    ...Object.values(UDP).map((port) => ({ port, protocol: 'udp' as const })),
  ];
  const { run } = await lab.probe(ports, { timeoutMs: 1000, retries: 1, banner: false });
  assert.equal(run.address, TARGET_ADDR);
  const got = Object.fromEntries(run.results.map((r) => [`${r.port}/${r.protocol}`, `${r.state} ${r.reason}`]));
  assert.deepEqual(got, {
    [`${TCP.open}/tcp`]: 'open syn-ack',
    [`${TCP.closed}/tcp`]: 'closed conn-refused',
    [`${TCP.dropped}/tcp`]: 'filtered no-response',
    [`${TCP.reset}/tcp`]: 'closed conn-refused',
    [`${TCP.prohibited}/tcp`]: 'filtered icmp-prohibited',
    [`${UDP.open}/udp`]: 'open udp-response',
    [`${UDP.closed}/udp`]: 'closed port-unreach',
    [`${UDP.dropped}/udp`]: 'open|filtered no-response',
    [`${UDP.prohibited}/udp`]: 'filtered icmp-prohibited',
  });
});

test('silent ports wait the adapted timeout, not the maximum', { skip }, async () => {
  // 20 dropped ports and one answering port at once: the dropped ones start with the 3 s maximum and are
  // cut to about the 100 ms floor once the answer gives a round trip; the retry uses the adapted wait too.
  const ports = [{ port: TCP.open, protocol: 'tcp' as const }, ...SILENT.map((port) => ({ port, protocol: 'tcp' as const }))];
  const { run, elapsedMs } = await lab.probe(ports, { timeoutMs: 3000, minTimeoutMs: 100, retries: 1, banner: false, concurrency: 32 });
  assert.equal(run.results.filter((r) => r.state === 'filtered' && r.reason === 'no-response').length, SILENT.length);
  assert.ok(elapsedMs < 1500, `took ${elapsedMs.toFixed(0)} ms; a fixed timeout would take 6000`);
  assert.ok(elapsedMs >= 180, `took ${elapsedMs.toFixed(0)} ms, less than two 100 ms waits`);
});

test('without any answer the wait stays at the maximum', { skip }, async () => {
  const { run, elapsedMs } = await lab.probe([{ port: SILENT[0], protocol: 'tcp' }], { timeoutMs: 400, retries: 1, banner: false });
  assert.equal(run.results[0].state, 'filtered');
  assert.ok(elapsedMs >= 790 && elapsedMs < 2000, `took ${elapsedMs.toFixed(0)} ms, expected two 400 ms waits`);
});

test('minTimeoutMs equal to timeoutMs turns adaptation off', { skip }, async () => {
  const ports = [{ port: TCP.open, protocol: 'tcp' as const }, ...SILENT.slice(0, 4).map((port) => ({ port, protocol: 'tcp' as const }))];
  // Concurrency 1: the open port answers first, then each silent port waits the full 300 ms, twice.
  const { elapsedMs } = await lab.probe(ports, { timeoutMs: 300, minTimeoutMs: 300, retries: 1, banner: false, concurrency: 1 });
  assert.ok(elapsedMs >= 4 * 2 * 300 - 20, `took ${elapsedMs.toFixed(0)} ms`);
});

test('cancellation among silent ports stops within 100 ms and closes every socket', { skip }, async () => {
  // Nothing answers, so every attempt sits in a 5 s wait (TCP and UDP) when the abort comes.
  const ports = [...SILENT.map((port) => ({ port, protocol: 'tcp' as const })), { port: UDP.dropped, protocol: 'udp' as const }];
  const r = await lab.probe(ports, { timeoutMs: 5000, banner: false }, { abortAfterMs: 200 });
  assert.equal(r.run.cancelled, true);
  assert.ok(r.stopMs !== undefined && r.stopMs < 100, `returned ${r.stopMs?.toFixed(1)} ms after the abort`);
  assert.equal(r.openSockets, 0);
  // No timer of a cancelled attempt keeps the process alive.
  assert.ok(r.wallMs < 3000, `process lived ${r.wallMs.toFixed(0)} ms`);
});
