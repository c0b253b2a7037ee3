/**
 * A compose file large enough for the analysis worker thread (≥ 128 K characters) reads its `.env` and its
 * override file as the server's own thread does: the same findings as the same services in a small file (analysed
 * on the server's thread) with the same `.env` and override beside it, and an unsaved edit to the override in the
 * editor re-checks the large file with the edited text.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { NO_COMPOSE } from '../support/formats';
import { LspClient } from '../support/lsp-client';

const SERVICES = [
  'services:',
  '  db:',
  '    image: postgres:16',
  '    ports:',
  '      - "${DB_BIND}:5432:5432"',
  '  cache:',
  '    image: redis:7',
  '    ports:',
  '      - "6379:6379"',
  '  web:',
  '    image: nginx',
  '    ports:',
  '      - "8080:80"',
  '      - "${ADMIN_PORT:-9000}:9000"',
  '',
].join('\n');
// Comments take the file past the worker threshold without changing what it publishes.
const PADDING_LINES = 1400;
const PADDING = Array.from({ length: PADDING_LINES }, (_, i) => `# ${String(i).padStart(4, '0')} ${'-'.repeat(96)}\n`).join('');
const OVERRIDE = 'services:\n  web:\n    network_mode: host\n';

let client: LspClient;
let dir: string;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-worker-beside-'));
  for (const [name, text] of [
    ['small', SERVICES],
    ['large', PADDING + SERVICES],
  ]) {
    fs.mkdirSync(path.join(dir, name));
    fs.writeFileSync(path.join(dir, name, 'compose.yaml'), text);
    fs.writeFileSync(path.join(dir, name, '.env'), 'DB_BIND=127.0.0.1\nADMIN_PORT=3389\n');
    fs.writeFileSync(path.join(dir, name, 'compose.override.yaml'), OVERRIDE);
  }
  // Every large document in the worker (the server would keep a quick one on its own thread).
  client = new LspClient({ env: { PORTCULLIS_ANALYSIS_THREAD: 'worker' } });
  await client.initialize(pathToFileURL(dir).href);
});

after(async () => {
  await client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const uriOf = (...p: string[]) => pathToFileURL(path.join(dir, ...p)).href;
/** Findings as comparable lines: position (less the padding), code, message. */
const shape = (d: Diagnostic[], offset = 0) =>
  d.map((x) => `${x.range.start.line - offset}:${x.range.start.character} ${x.code} ${x.message}`).sort();

test('a compose file analysed in the worker reads .env and the override as the server thread does', { skip: NO_COMPOSE }, async () => {
  const small = uriOf('small', 'compose.yaml');
  const large = uriOf('large', 'compose.yaml');
  await client.open(small, SERVICES, 'dockercompose');
  const expected = shape(await client.diagnostics(small, (_d, v) => v === 1));
  // .env binds the database to loopback and the override puts web on the host network: only Redis is left.
  assert.deepEqual(
    expected.map((l) => l.split(' ')[1]),
    ['PC120'],
    expected.join('\n'),
  );
  assert.ok(PADDING.length >= 128 * 1024);
  await client.open(large, PADDING + SERVICES, 'dockercompose');
  await client.diagnostics(large, (_d, v) => v === 1, 30_000);
  await client.change(large, 2, [{ text: `${PADDING + SERVICES}# edited\n` }]);
  assert.deepEqual(shape(await client.diagnostics(large, (_d, v) => v === 2, 30_000), PADDING_LINES), expected);

  // An unsaved edit to the override in the editor: web publishes its ports again, 3389 (from .env) among them.
  const edit = async (folder: string, uri: string) => {
    const override = uriOf(folder, 'compose.override.yaml');
    await client.open(override, OVERRIDE, 'dockercompose');
    await client.change(override, 2, [{ text: 'services:\n  web:\n    image: nginx:1.27\n' }]);
    return client.diagnostics(uri, (d) => d.some((x) => x.code === 'PC101'), 30_000);
  };
  const after = shape(await edit('small', small));
  assert.ok(
    after.some((l) => / PC101 .*TCP 3389/.test(l)),
    after.join('\n'),
  );
  assert.deepEqual(shape(await edit('large', large), PADDING_LINES), after);
});
