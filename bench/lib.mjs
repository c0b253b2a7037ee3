// What the per-area benchmarks share: the compiled sources in out/ (npx tsc -p .), the corpus path, default
// settings, a median, and the bundled language server started over stdio. Not a benchmark itself (run.mjs skips it).
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const require = createRequire(import.meta.url);
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const corpus = path.resolve(root, '../shared/corpus');
/** A module of the compiled server sources, e.g. out('pipeline.js'). */
export const out = (p) => require(path.join(root, 'out/server/src', p));
export const { analyseText } = out('pipeline.js');
export const { formatById } = out('formats/registry.js');
export const settings = out('analysis/settings.js').resolveSettings({});
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Spawns `command args` as a language server over stdio, initialised with default settings. `diagnostics(ms)`
 * resolves with the first publishDiagnostics (or rejects after ms); `stop()` shuts it down.
 */
export async function startServer(command, args) {
  const { createMessageConnection, StreamMessageReader, StreamMessageWriter } = require('vscode-jsonrpc/node');
  const proc = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  let got;
  const first = new Promise((r) => (got = r));
  conn.onNotification('textDocument/publishDiagnostics', (p) => got(p));
  conn.onRequest('workspace/configuration', (p) => p.items.map(() => ({})));
  conn.onRequest('client/registerCapability', () => null);
  conn.listen();
  await conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: { workspace: { configuration: true } } });
  await conn.sendNotification('initialized', {});
  const diagnostics = (ms) =>
    Promise.race([first, new Promise((_, rej) => setTimeout(() => rej(new Error(`no diagnostics in ${ms / 1000} s`)), ms).unref())]);
  const stop = async () => {
    await conn.sendRequest('shutdown');
    await conn.sendNotification('exit');
    conn.dispose();
    proc.kill();
  };
  return { proc, conn, diagnostics, stop };
}
