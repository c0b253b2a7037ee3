/** The server under pressure: typing bursts on the largest corpus ruleset, unreadable siblings and services, bad framing. */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol';
import nodeFlags from '../../server/src/node-flags.json';
import { resolveSettings } from '../../server/src/analysis/settings';
import { forPublishing, toDiagnostic } from '../../server/src/features/diagnostics';
import { iptablesFormat } from '../../server/src/formats/iptables';
import { analyseText } from '../../server/src/pipeline';
import { CORPUS, HAVE_CORPUS, NO_CORPUS, REPO } from '../support/corpus';
import { LspClient } from '../support/lsp-client';

const rssMb = (pid: number): number => Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const HAVE_MKFIFO = (() => {
  try {
    execFileSync('mkfifo', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

let client: LspClient;
let dir: string;
before(async () => {
  assert.ok(fs.existsSync(path.join(REPO, 'dist/server.js')), 'run `node esbuild.mjs` first (npm test does)');
  client = new LspClient();
  await client.initialize();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-robust-'));
});
after(async () => {
  await client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const LARGEST = path.join(CORPUS, 'iptables/tum-net-2015-09-03.rules');

test(
  'typing burst: 200 edits back to back → the final diagnostics within 2 s of the last, equal to a fresh analysis',
  { skip: !HAVE_CORPUS && NO_CORPUS },
  async () => {
    // Run as editors run it (the bin's shebang and the VS Code client pass these flags).
    const client = new LspClient({ nodeArgs: nodeFlags.server });
    await client.initialize();
    const text = fs.readFileSync(LARGEST, 'utf8');
    const uri = pathToFileURL(path.join(dir, 'tum-net.rules')).href;
    const opened = performance.now();
    await client.open(uri, text);
    await client.diagnostics(uri, (_d, v) => v === 1, 60_000);
    // One analysis of this file on this machine now (the first, in a cold worker): the yardstick when the machine
    // is so busy that one analysis alone takes longer than the 2 s target.
    const once = performance.now() - opened;
    // Each edit types or deletes one character at the end of a rule line, as a user would in a burst.
    const lines = text.split('\n');
    const target = lines.findIndex((l) => l.startsWith('-A INPUT') && l.includes('--dport'));
    let current = lines[target];
    const hoverTimes: number[] = [];
    const sends: Promise<void>[] = [];
    for (let v = 2; v <= 201; v++) {
      const deleting = v % 3 === 0;
      const end = current.length;
      const change = deleting
        ? { range: { start: { line: target, character: end - 1 }, end: { line: target, character: end } }, text: '' }
        : { range: { start: { line: target, character: end }, end: { line: target, character: end } }, text: ' ' };
      current = deleting ? current.slice(0, -1) : current + ' ';
      sends.push(client.change(uri, v, [change]));
      if (v % 50 === 0) {
        const t = performance.now();
        void client
          .request('textDocument/hover', { textDocument: { uri }, position: { line: target, character: 3 } })
          .then(() => hoverTimes.push(performance.now() - t));
      }
    }
    await Promise.all(sends);
    const lastEdit = performance.now();
    const final = await client.diagnostics(uri, (_d, v) => v === 201, 30_000);
    const lag = performance.now() - lastEdit;
    lines[target] = current;
    const fresh = forPublishing(analyseText(lines.join('\n'), iptablesFormat, new URL(uri).pathname, resolveSettings({})).findings).map(
      (f) => toDiagnostic(f, uri),
    );
    assert.deepEqual(
      JSON.parse(JSON.stringify(final)),
      JSON.parse(JSON.stringify(fresh)),
      'same diagnostics as a fresh analysis of the final text',
    );
    const rss = rssMb(client.pid);
    await client.close();
    console.log(
      `typing burst: one analysis ${once.toFixed(0)} ms; final diagnostics ${lag.toFixed(0)} ms after the last edit; hovers during the burst ${hoverTimes.map((t) => t.toFixed(0)).join(', ')} ms; server RSS ${rss.toFixed(0)} MB`,
    );
    // Analysing every version in turn (the old behaviour) costs ~200 analyses; only the last may be paid for. The
    // issue's 2 s holds whenever this machine opens the file within 2 s (quiet, it takes 1.2–1.9 s); when it is so
    // busy that one cold analysis alone takes longer, the bound is relative: one analysis and half as much again.
    const bound = once <= 2000 ? 2000 : 1.5 * once;
    assert.ok(lag < bound, `final diagnostics ${lag.toFixed(0)} ms after the last edit (bound ${bound.toFixed(0)} ms; one analysis: ${once.toFixed(0)} ms)`);
    assert.ok(rss < 200, `server RSS ${rss.toFixed(0)} MB`);
  },
);

test(
  'a FIFO as the IPv4 sibling of rules.v6: the server does not block, says why, and goes on',
  { skip: !HAVE_MKFIFO && 'mkfifo not available' },
  async () => {
    const sub = path.join(dir, 'fifo-sibling');
    fs.mkdirSync(sub);
    execFileSync('mkfifo', [path.join(sub, 'rules.v4')]);
    const v6 = ['*filter', ':INPUT DROP [0:0]', '-A INPUT -p tcp --dport 22 -j ACCEPT', 'COMMIT', ''].join('\n');
    const uri = pathToFileURL(path.join(sub, 'rules.v6')).href;
    const t = Date.now();
    await client.open(uri, v6);
    await client.diagnostics(uri, (_d, v) => v === 1, 10_000);
    assert.ok(Date.now() - t < 5000);
    const hover = await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 31 } });
    assert.ok(hover, 'the server still answers');
    assert.ok(
      client.logs.some((l) => l.message.includes('rules.v4') && /not a regular file \(a FIFO/.test(l.message)),
      JSON.stringify(client.logs),
    );
  },
);

test(
  'a FIFO in a firewalld services folder: the zone using it gets a per-file message',
  { skip: !HAVE_MKFIFO && 'mkfifo not available' },
  async () => {
    const fw = path.join(dir, 'firewalld');
    fs.mkdirSync(path.join(fw, 'zones'), { recursive: true });
    fs.mkdirSync(path.join(fw, 'services'));
    execFileSync('mkfifo', [path.join(fw, 'services', 'blocked.xml')]);
    fs.writeFileSync(
      path.join(fw, 'services', 'fine.xml'),
      '<?xml version="1.0"?>\n<service><port port="8443" protocol="tcp"/></service>\n',
    );
    const zone = [
      '<?xml version="1.0" encoding="utf-8"?>',
      '<zone>',
      '  <service name="blocked"/>',
      '  <service name="fine"/>',
      '</zone>',
      '',
    ].join('\n');
    const uri = pathToFileURL(path.join(fw, 'zones', 'public.xml')).href;
    await client.open(uri, zone, 'firewalld');
    const d = await client.diagnostics(uri, (x, v) => v === 1 && x.some((y) => y.code === 'PC011'), 10_000);
    const msg = d.find((x) => x.code === 'PC011')!.message;
    assert.match(msg, /services\/blocked\.xml cannot be read \(not a regular file \(a FIFO/);
    assert.ok(!d.some((x) => x.message.includes('`fine`')), 'the readable service is used');
  },
);

test('documents over the size limit get one diagnostic saying so', async () => {
  const small = new LspClient({ configuration: { maxFileSize: 1 } });
  try {
    await small.initialize();
    const uri = pathToFileURL(path.join(dir, 'huge.rules')).href;
    const line = '-A INPUT -s 192.0.2.1/32 -p tcp --dport 22 -j ACCEPT\n';
    await small.open(uri, '*filter\n' + line.repeat(Math.ceil((1.2 * 1048576) / line.length)) + 'COMMIT\n');
    const d = await small.diagnostics(uri, (_x, v) => v === 1, 10_000);
    assert.equal(d.length, 1);
    assert.match(d[0].message, /over the 1 MB input limit \(setting portcullis\.maxFileSize\)/);
  } finally {
    await small.close();
  }
});

test('no suppress action for a diagnostic on a line that does not exist', async () => {
  const uri = pathToFileURL(path.join(dir, 'short.rules')).href;
  await client.open(uri, ['*filter', ':INPUT DROP [0:0]', '-A INPUT -p tcp --dport 3389 -j ACCEPT', 'COMMIT', ''].join('\n'));
  const [real] = await client.diagnostics(uri, (x) => x.some((y) => y.code === 'PC101'));
  const ghost: Diagnostic = { ...real, range: { start: { line: 40, character: 0 }, end: { line: 40, character: 5 } }, data: undefined };
  const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
    textDocument: { uri },
    range: ghost.range,
    context: { diagnostics: [ghost] },
  });
  assert.ok(!actions.some((a) => a.title.startsWith('Suppress')), JSON.stringify(actions.map((a) => a.title)));
  const ok = await client.request<CodeAction[]>('textDocument/codeAction', {
    textDocument: { uri },
    range: real.range,
    context: { diagnostics: [real] },
  });
  assert.ok(
    ok.some((a) => a.title.startsWith('Suppress')),
    'a real line still gets one',
  );
});

test('a malformed Content-Length header: the server says why and exits for a restart instead of going silent', async () => {
  const proc = spawn(process.execPath, [path.join(REPO, 'dist/server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', resolve));
  proc.stdin.write('Content-Length: abc\r\n\r\n{"jsonrpc":"2.0","id":0,"method":"initialize","params":{}}');
  const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000))]);
  if (code === 'timeout') proc.kill('SIGKILL');
  assert.equal(code, 2);
  assert.match(stderr, /Content-Length value must be a number/);
});
