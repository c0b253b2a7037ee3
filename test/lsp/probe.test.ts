/**
 * The probe command over stdio, as any editor runs it: progress, drift diagnostics labelled with host and
 * time, replacement on the next probe, cancellation, nmap XML import. Targets only 127.0.0.1, where the
 * test opens its own listeners.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as net from 'node:net';
import { after, before, test } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { LspClient } from '../support/lsp-client';

interface Row {
  port: number;
  protocol: string;
  state: string;
  expected?: string;
  drift?: string;
  line?: number;
  service?: string;
}
interface Report {
  target: string;
  address: string;
  at: string;
  cancelled: boolean;
  results: Row[];
}

const listen = async (onConn: (s: net.Socket) => void = (s) => s.end('SSH-2.0-lsp-test\r\n')): Promise<net.Server> => {
  const srv = net.createServer((s) => {
    s.on('error', () => undefined); // scanners reset connections; that is not a test failure
    onConn(s);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return srv;
};
const portOf = (s: net.Server) => (s.address() as net.AddressInfo).port;
const freePort = async () => {
  const s = await listen();
  const p = portOf(s);
  await new Promise((r) => s.close(r));
  return p;
};

let client: LspClient;
let answering: net.Server;
let blockedButOpen = 0;
let openButClosed = 0;
const uri = 'file:///tmp/portcullis-probe-test.rules';
let text = '';

before(async () => {
  answering = await listen();
  blockedButOpen = portOf(answering);
  openButClosed = await freePort();
  text = [
    '*filter',
    ':INPUT DROP [0:0]',
    '-A INPUT -i lo -j ACCEPT',
    `-A INPUT -p tcp --dport ${openButClosed} -j ACCEPT`,
    `-A INPUT -p tcp --dport ${blockedButOpen} -j DROP`,
    'COMMIT',
    '',
  ].join('\n');
  client = new LspClient();
  await client.initialize(null, true, true);
  await client.open(uri, text);
  await client.diagnostics(uri);
});
after(async () => {
  answering.close();
  await client.close();
});

const probeDiags = (d: Diagnostic[]) => d.filter((x) => x.code === 'PC201' || x.code === 'PC202');

test('probe: ports from the file, progress on the client token, drift diagnostics labelled with host and time', async () => {
  const report = await client.request<Report>('workspace/executeCommand', {
    command: 'portcullis.probe',
    arguments: [{ uri, target: '127.0.0.1', timeoutMs: 500 }],
    workDoneToken: 'probe-1',
  });
  assert.equal(report.address, '127.0.0.1');
  const byPort = new Map(report.results.map((r) => [r.port, r]));
  const a = byPort.get(blockedButOpen)!;
  const b = byPort.get(openButClosed)!;
  assert.deepEqual([a.state, a.expected, a.drift, a.line], ['open', 'blocked', 'PC201', 4]);
  assert.deepEqual([b.state, b.expected, b.drift, b.line], ['closed', 'open', 'PC202', 3]);

  const mine = client.progress.filter((p) => p.token === 'probe-1').map((p) => p.value);
  assert.equal(mine[0].kind, 'begin');
  assert.equal(mine[0].cancellable, true);
  assert.ok(
    mine.some((v) => v.kind === 'report' && v.percentage === 100 && v.message === '2/2 ports'),
    JSON.stringify(mine),
  );
  assert.equal(mine[mine.length - 1].kind, 'end');

  const d = probeDiags(await client.diagnostics(uri, (x) => probeDiags(x).length === 2));
  const pc201 = d.find((x) => x.code === 'PC201')!;
  assert.equal(pc201.range.start.line, 4);
  assert.equal(pc201.severity, 2);
  assert.match(
    pc201.message,
    new RegExp(`^probe of 127\\.0\\.0\\.1 at ${report.at.replace(/[.]/g, '\\.')}: TCP ${blockedButOpen} answers`),
  );
  const pc202 = d.find((x) => x.code === 'PC202')!;
  assert.equal(pc202.range.start.line, 3);
  assert.equal(pc202.severity, 3);

  // Drift survives edits until the next probe, which replaces it: the blocked port stops answering.
  await client.change(uri, 2, [{ text: text + '# edited\n' }]);
  await client.diagnostics(uri, (x, v) => v === 2 && probeDiags(x).length === 2);
  answering.close();
  await new Promise((r) => setTimeout(r, 50));
  await client.request<Report>('workspace/executeCommand', {
    command: 'portcullis.probe',
    arguments: [{ uri, target: '127.0.0.1', timeoutMs: 500 }],
  });
  const after2 = probeDiags(await client.diagnostics(uri, (x) => probeDiags(x).length === 1));
  assert.equal(after2[0].code, 'PC202');
});

test('probe: server-created progress the user cancels stops the probe with partial results', async () => {
  // Listeners that accept but never greet: each open port waits out the banner grab, so the run is slow.
  const quiet = await Promise.all(Array.from({ length: 12 }, () => listen(() => undefined)));
  try {
    const ports = quiet.map(portOf).join(',');
    const before = client.createdProgress.length;
    const pending = client.request<Report>('workspace/executeCommand', {
      command: 'portcullis.probe',
      arguments: [{ target: '127.0.0.1', ports, concurrency: 1, timeoutMs: 2000 }],
    });
    const started = Date.now();
    while (client.createdProgress.length === before && Date.now() - started < 5000) await new Promise((r) => setTimeout(r, 10));
    const token = client.createdProgress[before];
    assert.ok(token !== undefined, 'the server created a progress token (the client advertised window.workDoneProgress)');
    while (!client.progress.some((p) => p.token === token && p.value.kind === 'report') && Date.now() - started < 5000)
      await new Promise((r) => setTimeout(r, 10));
    await client.conn.sendNotification('window/workDoneProgress/cancel', { token });
    const report = await pending;
    assert.equal(report.cancelled, true);
    assert.ok(report.results.length >= 1 && report.results.length < 12, `${report.results.length} results`);
    assert.ok(Date.now() - started < 12 * 300, 'stopped before probing every port');
    assert.equal(client.progress.filter((p) => p.token === token).pop()?.value.kind, 'end');
  } finally {
    quiet.forEach((s) => s.close());
  }
});

test('probe: bad arguments come back as clear errors', async () => {
  await assert.rejects(
    client.request('workspace/executeCommand', { command: 'portcullis.probe', arguments: [{ target: '127.0.0.1', ports: '22,70000' }] }),
    /ports are 1-65535/,
  );
  await assert.rejects(
    client.request('workspace/executeCommand', { command: 'portcullis.probe', arguments: [{ ports: '22' }] }),
    /`target`/,
  );
  await assert.rejects(
    client.request('workspace/executeCommand', { command: 'portcullis.importScan', arguments: [{ uri, xml: '<html></html>' }] }),
    /not an nmap XML file/,
  );
});

const nmap = spawnSync('nmap', ['--version'], { encoding: 'utf8' });
test(
  'import: an nmap -oX scan of the same host feeds the same drift diagnostics',
  { skip: nmap.status === 0 ? false : 'nmap is not installed (scripts/setup-test-deps.sh installs it)' },
  async () => {
    const again = await listen();
    try {
      const port = portOf(again);
      const t = ['*filter', ':INPUT DROP [0:0]', `-A INPUT -p tcp --dport ${port} -j DROP`, 'COMMIT', ''].join('\n');
      const u = 'file:///tmp/portcullis-import-test.rules';
      await client.open(u, t);
      await client.diagnostics(u);
      const scan = spawnSync('nmap', ['-sT', '-Pn', '-n', '-p', String(port), '-oX', '-', '127.0.0.1'], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      assert.equal(scan.status, 0, scan.stderr);
      const report = await client.request<Report & { source: string }>('workspace/executeCommand', {
        command: 'portcullis.importScan',
        arguments: [{ uri: u, xml: scan.stdout }],
      });
      assert.match(report.source, /^nmap .*\(imported\)$/);
      assert.deepEqual(
        report.results.map((r) => [r.port, r.state, r.drift]),
        [[port, 'open', 'PC201']],
      );
      const d = probeDiags(await client.diagnostics(u, (x) => probeDiags(x).length === 1));
      assert.match(d[0].message, /^probe of 127\.0\.0\.1 at /);
    } finally {
      again.close();
    }
  },
);

test('plan: the ports a probe would try, without probing', async () => {
  const plan = await client.request<{ port: number; protocol: string }[]>('workspace/executeCommand', {
    command: 'portcullis.probePlan',
    arguments: [{ uri }],
  });
  assert.deepEqual(
    plan.map((p) => p.port).sort((a, b) => a - b),
    [blockedButOpen, openButClosed].sort((a, b) => a - b),
  );
  const typed = await client.request<{ port: number; protocol: string }[]>('workspace/executeCommand', {
    command: 'portcullis.probePlan',
    arguments: [{ ports: '53/udp,1000-1002' }],
  });
  assert.deepEqual(
    typed.map((p) => `${p.port}/${p.protocol}`),
    ['53/udp', '1000/tcp', '1001/tcp', '1002/tcp'],
  );
});
