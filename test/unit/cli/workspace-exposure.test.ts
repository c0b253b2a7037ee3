/** `portcullis exposure <dir>`: every recognised file of a folder, across formats, worst first, with PC301. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { WorkspaceRow } from '../../../server/src/features/workspace-exposure';
import { NO_COMPOSE } from '../../support/formats';
import { REPO } from '../../support/corpus';

const CLI = path.join(REPO, 'dist/cli.js');
let dir: string;
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: dir, timeout: 30_000 });

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-expo-'));
  fs.cpSync(path.join(REPO, 'test/fixtures/docker-bypass/open'), path.join(dir, 'db-host'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'edge'));
  fs.copyFileSync(path.join(REPO, 'test/fixtures/samples/web-server.rules'), path.join(dir, 'edge', 'rules.v4'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Json {
  files: { path: string; language: string; chains: unknown[] }[];
  exposures: WorkspaceRow[];
  findings: { path: string; code: string; severity: string; message: string; range: { start: { line: number } } }[];
  hosts: { name: string; paths: string[] }[];
}

test('exposure --format json: rows of every file worst first, the service-matrix contract kept', () => {
  const r = run('exposure', '--format', 'json', '.');
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout) as Json;
  assert.ok(json.files.every((f) => Array.isArray(f.chains)));
  assert.ok(json.exposures.length >= 5);
  assert.ok(
    json.exposures.every((e, i) => i === 0 || json.exposures[i - 1].score >= e.score),
    'worst first',
  );
  const top = json.exposures[0];
  assert.equal(top.reach, 'internet');
  assert.equal(top.risks[0].level, 'high');
  const rdp = json.exposures.find(
    (e) => e.path.endsWith('rules.v4') && e.protocol === 'tcp' && e.ports.some(([a, b]) => a <= 3389 && 3389 <= b) && !e.interface,
  )!;
  assert.deepEqual(rdp.cidrs, ['0.0.0.0/0']);
  assert.equal(rdp.sources, 'any IPv4 address');
  assert.equal(rdp.line, 10);
  assert.ok(rdp.codes.includes('PC101'));
  const local = json.exposures.filter((e) => e.reach === 'local');
  assert.ok(local.length && local.every((e) => e.interface === 'on lo'));
  assert.ok(json.exposures.indexOf(local[0]) > json.exposures.indexOf(rdp));
});

test("exposure: the compose file's published port is listed, and PC301 says ufw does not protect it", { skip: NO_COMPOSE }, () => {
  const json = JSON.parse(run('exposure', '--format', 'json', '.').stdout) as Json;
  const db = json.exposures.find((e) => e.path.endsWith('compose.yaml'))!;
  assert.ok(db, JSON.stringify(json.exposures.map((e) => e.path)));
  assert.equal(db.portLabel, 'TCP 5432 (postgresql)');
  assert.equal(db.chain, 'db');
  assert.equal(db.reach, 'internet');
  assert.ok(db.codes.includes('PC301'), JSON.stringify(db));
  const f = json.findings.find((x) => x.code === 'PC301')!;
  assert.equal(f.path, path.join('db-host', 'compose.yaml'), 'paths as given on the command line');
  const text = run('exposure', '.').stdout;
  assert.match(text, /^RISK\s+REACH\s+FILE\s+RESOURCE\s+PORT\s+FROM\s+FINDINGS$/m);
  assert.match(
    text,
    /db-host\/compose\.yaml:5:\d+: warning PC301: TCP 5432 \(postgresql\), published by db, is reachable from any IPv4 address although the host firewall blocks it/,
  );
});

test('exposure: hosts named in .portcullis.json decide which files combine', { skip: NO_COMPOSE }, () => {
  fs.writeFileSync(path.join(dir, '.portcullis.json'), JSON.stringify({ hosts: { db: ['db-host/etc'], app: ['db-host/compose.yaml'] } }));
  try {
    const json = JSON.parse(run('exposure', '--format', 'json', '.').stdout) as Json;
    assert.deepEqual(json.findings, [], 'the compose file is on another host than the ufw file');
    assert.deepEqual(json.hosts.map((h) => h.name).sort(), ['app', 'db']);
    fs.writeFileSync(path.join(dir, '.portcullis.json'), JSON.stringify({ hosts: ['db-host'] }));
    const bad = run('exposure', '.');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /"hosts" must map host names to lists of folders/);
  } finally {
    fs.rmSync(path.join(dir, '.portcullis.json'));
  }
});
