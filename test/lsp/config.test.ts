/** `.portcullis.json` in the language server: found as the CLI finds it, and its problems shown on the file itself. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import test from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { LspClient } from '../support/lsp-client';
import { REPO } from '../support/corpus';

const RULES = [
  '*filter',
  ':INPUT DROP [0:0]',
  '-A INPUT -p tcp --dport 3389 -j ACCEPT',
  '-A INPUT --dport 8080 -j ACCEPT',
  'COMMIT',
  '',
].join('\n');
const codesOf = (d: Diagnostic[]) =>
  d
    .map((x) => String(x.code))
    .filter((c) => c.startsWith('PC'))
    .sort();

test('the nearest .portcullis.json applies, in the server as in the CLI', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-lsp-cfg-'));
  fs.mkdirSync(path.join(dir, 'edge'));
  fs.writeFileSync(path.join(dir, '.portcullis.json'), JSON.stringify({ severity: { PC004: 'off' } }));
  fs.writeFileSync(path.join(dir, 'edge/.portcullis.json'), JSON.stringify({ severity: { PC101: 'off' } }));
  const top = path.join(dir, 'rules.v4');
  const nested = path.join(dir, 'edge/rules.v4');
  fs.writeFileSync(top, RULES);
  fs.writeFileSync(nested, RULES);
  const client = new LspClient();
  try {
    await client.initialize(pathToFileURL(dir).href, false);
    for (const file of [top, nested]) {
      const uri = pathToFileURL(file).href;
      await client.open(uri, RULES);
      const lsp = codesOf(await client.diagnostics(uri, (x) => x.length > 0));
      const cli = JSON.parse(
        spawnSync(process.execPath, [path.join(REPO, 'dist/cli.js'), 'check', '--format', 'json', '--min-severity', 'hint', file], {
          encoding: 'utf8',
        }).stdout,
      ) as {
        files: { findings: { code: string }[] }[];
      };
      assert.deepEqual(lsp, cli.files[0].findings.map((f) => f.code).sort(), file);
    }
    assert.ok(codesOf(await client.diagnostics(pathToFileURL(top).href)).includes('PC101'));
    assert.ok(!codesOf(await client.diagnostics(pathToFileURL(nested).href)).includes('PC101'));
  } finally {
    await client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a broken .portcullis.json is a diagnostic on that file, naming the key; fixing it clears it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-lsp-bad-'));
  const cfg = path.join(dir, '.portcullis.json');
  const cfgUri = pathToFileURL(cfg).href;
  fs.writeFileSync(cfg, '{\n  "severity": { "PC101": "loud" },\n  "trustedSource": []\n}\n');
  const client = new LspClient();
  try {
    await client.initialize(pathToFileURL(dir).href, false);
    const uri = pathToFileURL(path.join(dir, 'rules.v4')).href;
    await client.open(uri, RULES);
    const problems = await client.diagnostics(cfgUri, (x) => x.length === 2);
    const severity = problems.find((p) => /severity\.PC101/.test(p.message))!;
    assert.match(severity.message, /severity\.PC101 must be one of error, warning, information, hint, off/);
    assert.deepEqual(severity.range, { start: { line: 1, character: 25 }, end: { line: 1, character: 31 } });
    assert.equal(severity.severity, 1);
    const unknown = problems.find((p) => /trustedSource/.test(p.message))!;
    assert.match(unknown.message, /unknown key `trustedSource`/);
    assert.deepEqual(unknown.range.start, { line: 2, character: 2 });
    const doc = await client.diagnostics(uri, (x) => x.length > 0);
    assert.ok(
      doc.some((d) => d.message.includes(`${cfg} has 2 problems`)),
      JSON.stringify(doc.map((d) => d.message)),
    );

    fs.writeFileSync(cfg, JSON.stringify({ severity: { PC101: 'off' } }));
    await client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: cfgUri, type: 2 }] });
    assert.deepEqual(await client.diagnostics(cfgUri, (x) => x.length === 0), []);
    const fixed = await client.diagnostics(
      uri,
      (x) => !x.some((d) => d.code === 'PC101') && !x.some((d) => d.message.includes('problems')),
    );
    assert.ok(codesOf(fixed).includes('PC004'));
  } finally {
    await client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
