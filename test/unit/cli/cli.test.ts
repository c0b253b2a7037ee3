/** The bundled CLI as CI runs it: exit codes, JSON contracts, clear errors. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import test from 'node:test';
import { REPO } from '../../support/corpus';

const CLI = path.join(REPO, 'dist/cli.js');
const SAMPLES = path.join(REPO, 'test/fixtures/samples');
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: REPO, timeout: 30_000 });

test('check: findings give exit 1, with file:line:col, code and message', () => {
  const r = run('check', path.join(SAMPLES, 'web-server.rules'));
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /web-server\.rules:11:25: error PC101: RDP/);
  assert.match(r.stdout, /1 file checked, \d+ findings at or above warning/);
});

test('check: a clean file exits 0; --min-severity decides what counts', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-cli-'));
  const f = path.join(dir, 'rules.v4');
  fs.writeFileSync(
    f,
    '*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 443 -j ACCEPT\n:unused - [0:0]\nCOMMIT\n',
  );
  assert.equal(run('check', f).status, 0);
  assert.equal(run('check', '--min-severity', 'hint', f).status, 1);
  fs.rmSync(dir, { recursive: true });
});

test('check --format json follows the documented contract', () => {
  const r = run('check', '--format', 'json', path.join(SAMPLES, 'web-server.rules'));
  const json = JSON.parse(r.stdout) as {
    files: {
      path: string;
      language: string;
      findings: {
        code: string;
        severity: string;
        message: string;
        range: { start: { line: number; character: number }; end: { line: number; character: number } };
      }[];
    }[];
  };
  assert.equal(json.files.length, 1);
  assert.equal(json.files[0].language, 'iptables');
  const rdp = json.files[0].findings.find((f) => f.code === 'PC101')!;
  assert.deepEqual(rdp.range, { start: { line: 10, character: 24 }, end: { line: 10, character: 28 } });
  assert.equal(rdp.severity, 'error');
});

test('usage and read errors exit 2 with a message, never a stack trace', () => {
  for (const args of [
    ['check'],
    ['frobnicate'],
    ['check', '--format', 'xml', 'x.rules'],
    ['check', '/nonexistent/rules.v4'],
    ['check', path.join(REPO, 'package.json')],
  ]) {
    const r = run(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at /, 'stack trace');
    assert.match(r.stdout + r.stderr, /portcullis|error/);
  }
});

test('exposure --format json: the stable service-matrix contract', () => {
  const r = run('exposure', '--format', 'json', path.join(SAMPLES, 'web-server.rules'));
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout) as {
    files: {
      path: string;
      chains: {
        table: string;
        chain: string;
        family: string;
        entries: {
          protocol: string;
          ports: [number, number][];
          sources: string[];
          interface?: string;
          rules: { line: number }[];
          approximate: boolean;
        }[];
      }[];
    }[];
  };
  const input = json.files[0].chains.find((c) => c.chain === 'INPUT')!;
  assert.equal(input.family, 'ipv4');
  const rdp = input.entries.find((e) => e.protocol === 'tcp' && e.ports.some(([a, b]) => a <= 3389 && b >= 3389) && !e.interface)!;
  assert.deepEqual(rdp.sources, ['0.0.0.0/0']);
  assert.ok(rdp.rules.some((x) => x.line === 10));
  const ssh = input.entries.find((e) => e.protocol === 'tcp' && e.ports.some(([a, b]) => a <= 22 && b >= 22) && !e.interface)!;
  assert.deepEqual(ssh.sources, ['198.51.100.0/24']);
  assert.ok(input.entries.some((e) => e.interface === 'lo' && e.sources[0] === '127.0.0.0/8'));
});

test('the workspace config file is read by the CLI', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-cfg-'));
  fs.copyFileSync(path.join(SAMPLES, 'web-server.rules'), path.join(dir, 'rules.v4'));
  fs.writeFileSync(path.join(dir, '.portcullis.json'), JSON.stringify({ severity: { PC101: 'off', PC004: 'off', PC102: 'off' } }));
  const r = run('check', path.join(dir, 'rules.v4'));
  assert.doesNotMatch(r.stdout, /PC101|PC004/);
  fs.rmSync(dir, { recursive: true });
});

test('check --format sarif: SARIF 2.1.0 with rules, help links and precise regions', () => {
  const r = run('check', '--format', 'sarif', path.join(SAMPLES, 'web-server.rules'));
  assert.equal(r.status, 1, r.stderr);
  const sarif = JSON.parse(r.stdout) as {
    version: string;
    runs: {
      tool: { driver: { name: string; rules: { id: string; helpUri: string }[] } };
      results: {
        ruleId: string;
        level: string;
        locations: {
          physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number; endColumn: number } };
        }[];
      }[];
    }[];
  };
  assert.equal(sarif.version, '2.1.0');
  const run0 = sarif.runs[0];
  assert.equal(run0.tool.driver.name, 'portcullis');
  assert.ok(run0.tool.driver.rules.every((x) => /docs\/diagnostics\/PC\d{3}\.md$/.test(x.helpUri)));
  const rdp = run0.results.find((x) => x.ruleId === 'PC101')!;
  assert.equal(rdp.level, 'error');
  assert.deepEqual(rdp.locations[0].physicalLocation.region, { startLine: 11, startColumn: 25, endLine: 11, endColumn: 29 });
  assert.equal(rdp.locations[0].physicalLocation.artifactLocation.uri, 'test/fixtures/samples/web-server.rules');
  assert.ok(run0.results.every((x) => run0.tool.driver.rules.some((rule) => rule.id === x.ruleId)));
});

test('check --format sarif validates against the SARIF 2.1.0 JSON schema (corpus and samples)', () => {
  // The schema (draft-04) and the ajv 6 that reads it come from @microsoft/jest-sarif (MIT), a dev dependency.
  const pkg = path.dirname(require.resolve('@microsoft/jest-sarif/package.json'));
  const Ajv = require(require.resolve('ajv', { paths: [pkg] }));
  const ajv = new Ajv({ schemaId: 'id', allErrors: true, meta: false, validateSchema: false });
  ajv.addMetaSchema(require(require.resolve('ajv/lib/refs/json-schema-draft-04.json', { paths: [pkg] })));
  const validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(pkg, 'lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')));
  const targets = [
    SAMPLES,
    ...(fs.existsSync(path.join(REPO, '../shared/corpus/iptables')) ? [path.join(REPO, '../shared/corpus/iptables')] : []),
  ];
  const r = spawnSync(process.execPath, [CLI, 'check', '--format', 'sarif', '--min-severity', 'hint', ...targets], {
    encoding: 'utf8',
    cwd: REPO,
    timeout: 60_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  const sarif = JSON.parse(r.stdout) as { runs: { results: unknown[] }[] };
  assert.ok(sarif.runs[0].results.length >= 10, `${sarif.runs[0].results.length} results`);
  assert.ok(validate(sarif), JSON.stringify(validate.errors?.slice(0, 5), null, 2));
  // A check that can fail: a broken log must not validate.
  assert.equal(validate({ version: '2.1.0', runs: [{ results: [] }] }), false);
});

test('probe: JSON contract, exit 1 on drift from --from, exit 2 on usage errors (127.0.0.1 only)', async () => {
  const net = await import('node:net');
  const srv = net.createServer((s) => s.on('error', () => undefined).end('SSH-2.0-cli\r\n'));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as import('node:net').AddressInfo).port;
  const runAsync = (...args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const { execFile } = require('node:child_process') as typeof import('node:child_process');
      execFile(process.execPath, [CLI, ...args], { cwd: REPO, timeout: 30_000 }, (err, stdout, stderr) =>
        resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  try {
    const ok = await runAsync('probe', '127.0.0.1', '--ports', String(port), '--format', 'json');
    assert.equal(ok.status, 0, ok.stderr);
    const json = JSON.parse(ok.stdout);
    assert.deepEqual(Object.keys(json).sort(), ['address', 'at', 'results', 'target']);
    assert.deepEqual(
      { ...json.results[0], latencyMs: 0 },
      { port, protocol: 'tcp', state: 'open', reason: 'syn-ack', latencyMs: 0, banner: 'SSH-2.0-cli' },
    );

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-probe-'));
    const file = path.join(dir, 'host.rules');
    fs.writeFileSync(file, `*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport ${port} -j DROP\nCOMMIT\n`);
    const drift = await runAsync('probe', '127.0.0.1', '--from', file);
    assert.equal(drift.status, 1, drift.stderr);
    assert.match(drift.stdout, new RegExp(`${port}/tcp\\s+blocked\\s+open\\s+syn-ack\\s+\\S+\\s+PC201`));

    for (const args of [
      ['probe', '127.0.0.1'],
      ['probe', '127.0.0.1', '--ports', '0'],
      ['probe', '127.0.0.1', '--ports', '22', '--timeout', 'soon'],
    ]) {
      const bad = await runAsync(...args);
      assert.equal(bad.status, 2, args.join(' '));
      assert.match(bad.stderr, /^portcullis: /);
      assert.doesNotMatch(bad.stderr, /\n\s+at /, 'no stack trace');
    }
  } finally {
    srv.close();
  }
});

test("check --format sarif: rule names from the codes' titles, --min-severity honoured, unreadable files as notifications", () => {
  type Log = {
    runs: {
      tool: { driver: { rules: { id: string; name: string }[] } };
      results: { ruleId: string; level: string }[];
      invocations: { executionSuccessful: boolean; toolExecutionNotifications: { message: { text: string } }[] }[];
    }[];
  };
  const all = JSON.parse(run('check', '--format', 'sarif', '--min-severity', 'hint', SAMPLES).stdout) as Log;
  const names = Object.fromEntries(all.runs[0].tool.driver.rules.map((r) => [r.id, r.name]));
  assert.equal(names.PC001, 'SyntaxError');
  assert.equal(names.PC006, 'RuleOutsideATableOrTableWithoutCOMMIT');
  assert.equal(names.PC107, 'IPv6ExposesWhatIPv4Blocks');
  assert.ok(
    Object.values(names).every((n) => /^[A-Z][A-Za-z0-9]+$/.test(n)),
    JSON.stringify(names),
  );
  assert.ok(
    all.runs[0].results.some((x) => x.level === 'note'),
    'the samples have information/hint findings',
  );
  const errorsOnly = JSON.parse(run('check', '--format', 'sarif', '--min-severity', 'error', SAMPLES).stdout) as Log;
  assert.ok(errorsOnly.runs[0].results.length > 0);
  assert.ok(
    errorsOnly.runs[0].results.every((x) => x.level === 'error'),
    JSON.stringify(errorsOnly.runs[0].results.map((x) => x.level)),
  );
  assert.deepEqual(errorsOnly.runs[0].invocations[0], { executionSuccessful: true, toolExecutionNotifications: [] });
  const missing = run('check', '--format', 'sarif', SAMPLES, '/nonexistent/rules.v4');
  assert.equal(missing.status, 2);
  const inv = (JSON.parse(missing.stdout) as Log).runs[0].invocations[0];
  assert.equal(inv.executionSuccessful, false);
  assert.match(inv.toolExecutionNotifications[0].message.text, /\/nonexistent\/rules\.v4: cannot read: no such file or directory/);
});
