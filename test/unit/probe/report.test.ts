/** Probe results set beside the file: expectations, drift, plans, renderings. */
import assert from 'node:assert/strict';
import test from 'node:test';
import { buildReport, planFromFile } from '../../../server/src/features/probe-report';
import { reportJson, reportMarkdown, reportText } from '../../../server/src/features/probe-render';
import type { ProbeResult } from '../../../server/src/probe/types';
import { analyseRules, filterTable } from '../../support/analyse';

const fa = analyseRules(
  filterTable([
    '-A INPUT -i lo -j ACCEPT',
    '-A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT',
    '-A INPUT -s 10.8.0.0/16 -p tcp --dport 22 -j ACCEPT',
    '-A INPUT -p udp --dport 53 -j ACCEPT',
    '-A INPUT -p tcp --dport 3389 -j DROP',
  ]),
);
const row = (port: number, state: ProbeResult['state'], protocol: 'tcp' | 'udp' = 'tcp'): ProbeResult => ({
  port,
  protocol,
  state,
  reason: 'r',
  latencyMs: 1,
});

test('plan: the ports the file names, TCP unless UDP is asked for', () => {
  assert.deepEqual(
    planFromFile(fa, false).map((p) => `${p.port}/${p.protocol}`),
    ['22/tcp', '80/tcp', '443/tcp', '3389/tcp'],
  );
  assert.ok(planFromFile(fa, true).some((p) => p.port === 53 && p.protocol === 'udp'));
});

test('report: expectation per port, drift where the host disagrees, located on the port token', () => {
  const run = {
    target: 'web1',
    address: '192.0.2.10',
    cancelled: false,
    results: [row(22, 'open'), row(80, 'open'), row(443, 'filtered'), row(3389, 'open'), row(8080, 'closed')],
  };
  const r = buildReport(run, '2026-12-04T10:00:00.000Z', 'probe', fa);
  const by = new Map(r.results.map((x) => [x.port, x]));
  assert.deepEqual([by.get(22)!.expected, by.get(22)!.drift], ['restricted', undefined]);
  assert.deepEqual([by.get(80)!.expected, by.get(80)!.drift], ['open', undefined]);
  assert.match(by.get(80)!.service ?? '', /http/); // IANA's name for 80/tcp
  assert.deepEqual([by.get(443)!.expected, by.get(443)!.drift], ['open', 'PC202']);
  assert.deepEqual([by.get(3389)!.expected, by.get(3389)!.drift, by.get(3389)!.line], ['blocked', 'PC201', 8]);
  assert.deepEqual([by.get(8080)!.expected, by.get(8080)!.line], ['blocked', undefined]);
  assert.deepEqual(r.findings.map((f) => [f.code, f.range.start.line]).sort(), [
    ['PC201', 8],
    ['PC202', 5],
  ]);
  assert.match(r.findings[0].message, /^probe of web1 \(192\.0\.2\.10\) at 2026-12-04T10:00:00\.000Z: /);
  assert.deepEqual(r.notes, []);

  const json = reportJson(r) as { results: Record<string, unknown>[] };
  assert.deepEqual(json.results[3], { port: 3389, protocol: 'tcp', state: 'open', reason: 'r', latencyMs: 1, expected: 'blocked' });
  assert.match(reportMarkdown(r), /\| 3389 \| tcp \| ms-wbt-server \| blocked \| \*\*open\*\* \(PC201\) \|/);
  assert.match(reportText(r), /5 ports: 3 open, 1 closed, 1 filtered; 2 differ from the file/);
});

test('report without a file: no expectations, no drift; every port open reads as a proxy', () => {
  const results = Array.from({ length: 25 }, (_, i) => row(1000 + i, 'open'));
  const r = buildReport({ target: 'h', address: 'h', cancelled: false, results }, 'now', 'probe');
  assert.ok(r.results.every((x) => x.expected === undefined && x.drift === undefined));
  assert.equal(r.notes.length, 1);
  assert.match(r.notes[0], /every one of the 25 TCP ports answered/);
  assert.match(reportText(r), /note: every one/);
});
