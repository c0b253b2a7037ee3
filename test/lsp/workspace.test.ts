/**
 * The workspace layer over stdio: `portcullis.workspaceExposure` (what every file exposes, worst first, as
 * the Workspace Exposure view shows it) and PC301 in the diagnostics of a compose file whose published port
 * the host's ufw rules do not protect, re-checked when the ufw file changes.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { CodeAction } from 'vscode-languageserver-protocol';
import type { WorkspaceExposureResult } from '../../server/src/features/workspace-exposure';
import { LspClient } from '../support/lsp-client';
import { NO_COMPOSE } from '../support/formats';
import { REPO } from '../support/corpus';

let client: LspClient;
let dir: string;
const uriOf = (...p: string[]) => pathToFileURL(path.join(dir, ...p)).href;
const exposure = () =>
  client.request<WorkspaceExposureResult>('workspace/executeCommand', { command: 'portcullis.workspaceExposure', arguments: [] });

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-ws-'));
  fs.cpSync(path.join(REPO, 'test/fixtures/docker-bypass/open'), path.join(dir, 'db-host'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'edge'));
  fs.copyFileSync(path.join(REPO, 'test/fixtures/samples/web-server.rules'), path.join(dir, 'edge', 'rules.v4'));
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a configuration file\n');
  // Large documents in the worker (the server would keep a quick one on its own thread): one test is about that path.
  client = new LspClient({ env: { PORTCULLIS_ANALYSIS_THREAD: 'worker' } });
  await client.initialize(pathToFileURL(dir).href);
});

after(async () => {
  await client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test(
  'portcullis.workspaceExposure: every recognised file, file → resource → port → sources, worst first',
  { skip: NO_COMPOSE },
  async () => {
    const res = await exposure();
    assert.deepEqual(res.files.map((f) => path.relative(dir, f.path)).sort(), [
      'db-host/compose.yaml',
      'db-host/etc/ufw/user.rules',
      'edge/rules.v4',
    ]);
    // Worst first at every level.
    const descending = (xs: { score: number }[]) => xs.every((x, i) => i === 0 || xs[i - 1].score >= x.score);
    assert.ok(descending(res.files));
    for (const f of res.files) {
      assert.ok(descending(f.resources), f.path);
      for (const r of f.resources) for (const p of r.ports) assert.ok(descending(p.sources), `${f.path} ${p.label}`);
    }
    const edge = res.files.find((f) => f.path.endsWith('rules.v4'))!;
    assert.equal(edge.uri, uriOf('edge', 'rules.v4'));
    const input = edge.resources.find((r) => r.name === 'INPUT')!;
    assert.equal(input.table, 'filter');
    const rdp =
      input.ports.find((p) => p.label === 'TCP 3389 (ms-wbt-server)') ??
      input.ports.find((p) => p.ports.some(([a, b]) => a <= 3389 && 3389 <= b) && p.protocol === 'tcp')!;
    const world = rdp.sources.find((s) => s.label === 'any IPv4 address')!;
    assert.equal(world.reach, 'internet');
    assert.equal(world.risk, 'high');
    assert.ok(world.codes.includes('PC101'), JSON.stringify(world));
    assert.equal(world.line, 10);
    const ssh = input.ports.find((p) => p.label === 'TCP 22 (ssh)')!;
    assert.deepEqual(
      ssh.sources.map((s) => [s.label, s.reach]),
      [['198.51.100.0/24', 'networks']],
    );
    // The ufw file's own exposure: SSH from anywhere; 5432 denied, so not listed.
    const ufw = res.files.find((f) => f.path.endsWith('user.rules'))!;
    assert.deepEqual(
      ufw.resources.flatMap((r) => r.ports.map((p) => p.label)),
      ['TCP 22 (ssh)'],
    );
    // Two hosts: the ufw file with the compose file in its tree, and the edge firewall on its own.
    assert.deepEqual(res.hosts.map((h) => h.paths.map((p) => path.relative(dir, p)).sort()).sort(), [
      ['db-host/compose.yaml', 'db-host/etc/ufw/user.rules'],
      ['edge/rules.v4'],
    ]);
  },
);

test('PC301 on the compose file: published 5432 bypasses the ufw deny; fixed by changing the host file', { skip: NO_COMPOSE }, async () => {
  const res = await exposure();
  const pc301 = res.findings.find((f) => f.code === 'PC301')!;
  assert.ok(pc301, JSON.stringify(res.findings));
  assert.equal(pc301.uri, uriOf('db-host', 'compose.yaml'));
  const db = res.files.find((f) => f.path.endsWith('compose.yaml'))!;
  assert.ok(
    db.resources[0].ports[0].sources.some((s) => s.codes.includes('PC301')),
    JSON.stringify(db.resources),
  );

  const compose = uriOf('db-host', 'compose.yaml');
  await client.open(compose, fs.readFileSync(path.join(dir, 'db-host', 'compose.yaml'), 'utf8'), 'dockercompose');
  const d = await client.diagnostics(compose, (x) => x.some((y) => y.code === 'PC301'));
  const f = d.find((x) => x.code === 'PC301')!;
  assert.equal(f.severity, 2);
  assert.equal(f.range.start.line, 4);
  assert.match(f.codeDescription!.href, /docs\/diagnostics\/PC301\.md$/);
  assert.deepEqual(
    f.relatedInformation?.map((r) => [r.location.uri, r.location.range.start.line]),
    [[uriOf('db-host', 'etc', 'ufw', 'user.rules'), 8]],
  );

  // The quick fix binds the port to loopback (narrower, never wider); applied, PC301 goes; undone, it returns.
  const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
    textDocument: { uri: compose },
    range: f.range,
    context: { diagnostics: [f] },
  });
  const bind = actions.find((a) => a.title.startsWith('Bind to 127.0.0.1'))!;
  assert.ok(bind?.isPreferred, actions.map((a) => a.title).join(' | '));
  const composeText = fs.readFileSync(path.join(dir, 'db-host', 'compose.yaml'), 'utf8');
  const [edit] = bind.edit!.changes![compose];
  assert.deepEqual(edit.range.start, { line: 4, character: 9 });
  const lines = composeText.split('\n');
  lines[4] = lines[4].slice(0, 9) + edit.newText + lines[4].slice(9);
  assert.equal(lines[4], '      - "127.0.0.1:5432:5432"');
  await client.change(compose, 2, [{ text: lines.join('\n') }]);
  await client.diagnostics(compose, (x) => !x.some((y) => y.code === 'PC301'));
  await client.change(compose, 3, [{ text: composeText }]);
  await client.diagnostics(compose, (x) => x.some((y) => y.code === 'PC301'));

  // Opening the ufw file and allowing 5432 there from anywhere: Docker no longer bypasses anything.
  const ufw = uriOf('db-host', 'etc', 'ufw', 'user.rules');
  const text = fs.readFileSync(path.join(dir, 'db-host', 'etc', 'ufw', 'user.rules'), 'utf8');
  await client.open(ufw, text);
  await client.diagnostics(ufw);
  await client.change(ufw, 2, [{ text: text.replace('--dport 5432 -j DROP', '--dport 5432 -j ACCEPT') }]);
  await client.diagnostics(compose, (x) => !x.some((y) => y.code === 'PC301'));
});

test('PC301 on a compose file analysed in the worker thread (≥ 128 K characters), re-checked when ufw changes', { skip: NO_COMPOSE }, async () => {
  const ufw = uriOf('db-host', 'etc', 'ufw', 'user.rules');
  const ufwText = fs.readFileSync(path.join(dir, 'db-host', 'etc', 'ufw', 'user.rules'), 'utf8');
  await client.change(ufw, 3, [{ text: ufwText }]);
  // A real-sized service list would do too; comments keep the test's file simple while passing the threshold.
  const padding = Array.from({ length: 1400 }, (_, i) => `# ${String(i).padStart(4, '0')} ${'-'.repeat(96)}`).join('\n');
  const text = `${padding}\nservices:\n  cache:\n    image: postgres:16\n    ports:\n      - "5432:5432"\n`;
  assert.ok(text.length >= 128 * 1024, `${text.length}`);
  const file = path.join(dir, 'db-host', 'large', 'compose.yaml');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  const uri = pathToFileURL(file).href;
  await client.open(uri, text, 'dockercompose');
  const d = await client.diagnostics(uri, (x) => x.some((y) => y.code === 'PC301'));
  const f = d.find((x) => x.code === 'PC301')!;
  assert.equal(f.range.start.line, 1404);
  assert.ok(d.some((x) => x.code === 'PC120'), 'the worker findings are kept beside the workspace ones');
  // The host firewall file changes: the large publisher is analysed again and PC301 goes.
  await client.change(ufw, 4, [{ text: ufwText.replace('--dport 5432 -j DROP', '--dport 5432 -j ACCEPT') }]);
  await client.diagnostics(uri, (x) => !x.some((y) => y.code === 'PC301') && x.some((y) => y.code === 'PC120'));
});
