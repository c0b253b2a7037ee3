/** The real bundled server over stdio: what any editor sees. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { CodeAction, Diagnostic, DocumentSymbol, Hover, TextEdit } from 'vscode-languageserver-protocol';
import { LspClient } from '../support/lsp-client';
import { REPO } from '../support/corpus';

const RULES = [
  '*filter',
  ':INPUT DROP [0:0]',
  ':FORWARD DROP [0:0]',
  ':OUTPUT ACCEPT [0:0]',
  '-A INPUT -i lo -j ACCEPT',
  '-A INPUT -p tcp --dport 3389 -j ACCEPT',
  '-A INPUT --dport 8080 -j ACCEPT',
  'COMMIT',
  '',
].join('\n');
const codesOf = (d: Diagnostic[]) => d.map((x) => x.code);

let client: LspClient;
before(async () => {
  assert.ok(fs.existsSync(path.join(REPO, 'dist/server.js')), 'run `node esbuild.mjs` first (npm test does)');
  client = new LspClient();
  const init = (await client.initialize()) as { capabilities: Record<string, unknown> };
  assert.ok(init.capabilities.hoverProvider);
});
after(() => client.close());

test('diagnostics: codes, severities, exact ranges and documentation links', async () => {
  const uri = 'file:///tmp/portcullis-lsp/a.rules';
  await client.open(uri, RULES);
  const d = await client.diagnostics(uri, (x) => x.length >= 2);
  const rdp = d.find((x) => x.code === 'PC101')!;
  assert.ok(rdp, JSON.stringify(codesOf(d)));
  assert.deepEqual(rdp.range, { start: { line: 5, character: 24 }, end: { line: 5, character: 28 } });
  assert.equal(rdp.severity, 1);
  assert.match(rdp.codeDescription!.href, /docs\/diagnostics\/PC101\.md$/);
  assert.match(rdp.message, /any IPv4 address/);
  const noProto = d.find((x) => x.code === 'PC004')!;
  assert.deepEqual(noProto.range, { start: { line: 6, character: 9 }, end: { line: 6, character: 21 } });
});

test('incremental edits re-diagnose: fixing the rule clears the finding', async () => {
  const uri = 'file:///tmp/portcullis-lsp/b.rules';
  await client.open(uri, RULES);
  await client.diagnostics(uri, (x) => codesOf(x).includes('PC101'));
  // Replace "ACCEPT" on line 5 with "DROP" — a ranged, incremental change.
  await client.change(uri, 2, [{ range: { start: { line: 5, character: 32 }, end: { line: 5, character: 38 } }, text: 'DROP' }]);
  const d = await client.diagnostics(uri, (x, v) => v === 2);
  assert.ok(!d.some((x) => x.code === 'PC101' && x.range.start.line === 5), JSON.stringify(codesOf(d)));
  // And breaking it again brings a syntax error on exactly the bad token.
  await client.change(uri, 3, [{ range: { start: { line: 5, character: 24 }, end: { line: 5, character: 28 } }, text: '99999' }]);
  const d3 = await client.diagnostics(uri, (x, v) => v === 3);
  const pc002 = d3.find((x) => x.code === 'PC002')!;
  assert.deepEqual(pc002.range, { start: { line: 5, character: 24 }, end: { line: 5, character: 29 } });
});

test('hover on a port explains the service, the risk and the verdict here', async () => {
  const uri = 'file:///tmp/portcullis-lsp/c.rules';
  await client.open(uri, RULES);
  await client.diagnostics(uri);
  const h = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 5, character: 26 } });
  const md = (h.contents as { value: string }).value;
  assert.match(md, /Port 3389/);
  assert.match(md, /ms-wbt-server/);
  assert.match(md, /RDP/);
  assert.match(md, /TCP 3389 reachable from any IPv4 address through this rule \(chain INPUT\)/);
  const chain = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 2 } });
  assert.match((chain.contents as { value: string }).value, /chain INPUT.*\n\nDefault policy: \*\*DROP\*\*/s);
  const none = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } });
  assert.equal(none, null);
});

/** Applies LSP text edits to a string (edits do not overlap). */
function apply(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return [...edits]
    .sort((a, b) => offset(b.range.start) - offset(a.range.start))
    .reduce((t, e) => t.slice(0, offset(e.range.start)) + e.newText + t.slice(offset(e.range.end)), text);
}

test('quick fixes: each is a workspace edit that removes its finding', async () => {
  const uri = 'file:///tmp/portcullis-lsp/d.rules';
  await client.open(uri, RULES);
  const d = await client.diagnostics(uri, (x) => x.length >= 2);
  const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
    textDocument: { uri },
    range: d[0].range,
    context: { diagnostics: d },
  });
  const cases: [string, string, RegExp][] = [
    ['Add -p tcp', 'PC004', /-A INPUT -p tcp --dport 8080 -j ACCEPT/],
    ['Change ACCEPT to DROP', 'PC101', /--dport 3389 -j DROP/],
    ['Restrict the source', 'PC101', /-A INPUT -s 192\.0\.2\.0\/24 -p tcp --dport 3389 -j ACCEPT/],
    ['Suppress PC101', 'PC101', /# portcullis-ignore PC101: reason\n-A INPUT -p tcp --dport 3389/],
  ];
  let version = 1;
  for (const [title, code, expectText] of cases) {
    const a = actions.find((x) => x.title.startsWith(title) && x.diagnostics?.[0].code === code);
    assert.ok(a, `no action "${title}" among ${actions.map((x) => x.title).join(' | ')}`);
    const fixed = apply(RULES, a.edit!.changes![uri]);
    assert.match(fixed, expectText);
    const u2 = `file:///tmp/portcullis-lsp/fix-${version++}.rules`;
    await client.open(u2, fixed);
    const after = await client.diagnostics(u2);
    const count = (list: Diagnostic[]) => list.filter((x) => x.code === code).length;
    assert.equal(
      count(after),
      count(d) - 1,
      `${title}: the ${code} it fixes is still there: ${JSON.stringify(after.map((x) => x.message))}`,
    );
  }
});

test('document symbols: tables → chains → rules', async () => {
  const uri = 'file:///tmp/portcullis-lsp/e.rules';
  await client.open(uri, RULES);
  await client.diagnostics(uri);
  const syms = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
  assert.equal(syms[0].name, 'filter');
  assert.deepEqual(
    syms[0].children!.map((c) => c.name),
    ['INPUT', 'FORWARD', 'OUTPUT'],
  );
  assert.deepEqual(
    syms[0].children![0].children!.map((r) => r.name),
    ['ACCEPT', 'ACCEPT 3389', 'ACCEPT 8080'],
  );
});

test('settings come from workspace/configuration, and from .portcullis.json without it', async () => {
  const trusted = new LspClient({ configuration: { severity: { PC101: 'off' } } });
  try {
    await trusted.initialize();
    const uri = 'file:///tmp/portcullis-lsp/f.rules';
    await trusted.open(uri, RULES);
    const d = await trusted.diagnostics(uri, (x) => x.length > 0);
    assert.ok(!codesOf(d).includes('PC101') && codesOf(d).includes('PC004'));
  } finally {
    await trusted.close();
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-ws-'));
  fs.writeFileSync(path.join(dir, '.portcullis.json'), JSON.stringify({ severity: { PC004: 'off' } }));
  const plain = new LspClient();
  try {
    await plain.initialize(pathToFileURL(dir).href, false);
    const uri = pathToFileURL(path.join(dir, 'rules.v4')).href;
    await plain.open(uri, RULES);
    const d = await plain.diagnostics(uri, (x) => x.length > 0);
    assert.ok(codesOf(d).includes('PC101') && !codesOf(d).includes('PC004'), JSON.stringify(codesOf(d)));
  } finally {
    await plain.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('workspace/executeCommand portcullis.exposure returns the service matrix', async () => {
  const uri = 'file:///tmp/portcullis-lsp/g.rules';
  await client.open(uri, RULES);
  await client.diagnostics(uri);
  const res = await client.request<{
    chains: { chain: string; entries: { protocol: string; ports: [number, number][]; sources: string[]; interface?: string }[] }[];
    text: string;
  }>('workspace/executeCommand', { command: 'portcullis.exposure', arguments: [uri] });
  const input = res.chains.find((c) => c.chain === 'INPUT')!;
  assert.ok(
    input.entries.some(
      (e) => e.protocol === 'tcp' && e.ports.some(([a, b]) => a <= 3389 && 3389 <= b) && e.sources[0] === '0.0.0.0/0' && !e.interface,
    ),
  );
  assert.match(res.text, /TCP 3389 \(ms-wbt-server\)\s+any IPv4 address/);
});

test('quick fixes: default-deny policy keeps loopback and replies; a shadowed rule can be deleted', async () => {
  const text = [
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD DROP [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    '-A INPUT -p tcp --dport 22 -j DROP',
    '-A INPUT -p tcp --dport 22 -s 10.0.0.0/8 -j ACCEPT',
    '-A INPUT -p tcp --dport 443 -j ACCEPT',
    'COMMIT',
    '',
  ].join('\n');
  const uri = 'file:///tmp/portcullis-lsp/h.rules';
  await client.open(uri, text);
  const d = await client.diagnostics(uri, (x) => codesOf(x).includes('PC103') && codesOf(x).includes('PC105'));
  const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
    textDocument: { uri },
    range: d[0].range,
    context: { diagnostics: d },
  });
  const policy = actions.find((a) => a.title.startsWith('Set INPUT policy to DROP'))!;
  const fixed = apply(text, policy.edit!.changes![uri]);
  assert.match(fixed, /:INPUT DROP \[0:0\]/);
  // Appended after the chain's last rule: they take only what the ACCEPT policy took, so the DROP of port 22 stays.
  assert.match(
    fixed,
    /-A INPUT -p tcp --dport 443 -j ACCEPT\n-A INPUT -i lo -j ACCEPT\n-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\nCOMMIT/,
  );
  const del = actions.find((a) => a.title === 'Delete this rule' && a.diagnostics?.[0].code === 'PC105')!;
  const deleted = apply(text, del.edit!.changes![uri]);
  assert.doesNotMatch(deleted, /10\.0\.0\.0\/8/);
  for (const [n, t, code] of [
    [1, fixed, 'PC103'],
    [2, deleted, 'PC105'],
  ] as const) {
    const u = `file:///tmp/portcullis-lsp/h-fixed-${n}.rules`;
    await client.open(u, t);
    const after = await client.diagnostics(u);
    assert.ok(!codesOf(after).includes(code), `${code} still present after its fix`);
  }
});

test('completion: targets and chains after -j, module options, service names after --dport', async () => {
  const text = [
    '*filter',
    ':INPUT DROP [0:0]',
    ':web - [0:0]',
    '-A INPUT -p tcp -j ',
    '-A INPUT -p tcp -m multiport --',
    '-A INPUT -p tcp --dport ss',
    'COMMIT',
    '',
  ].join('\n');
  const uri = 'file:///tmp/portcullis-lsp/i.rules';
  await client.open(uri, text);
  await client.diagnostics(uri);
  type Item = { label: string; detail?: string };
  const at = (line: number) =>
    client.request<Item[]>('textDocument/completion', {
      textDocument: { uri },
      position: { line, character: text.split('\n')[line].length },
    });
  const targets = (await at(3)).map((i) => i.label);
  assert.ok(targets.includes('ACCEPT') && targets.includes('LOG') && targets.includes('web'), targets.join(' '));
  const opts = (await at(4)).map((i) => i.label);
  assert.ok(opts.includes('--dports') && opts.includes('--dport'), opts.join(' '));
  const ports = await at(5);
  assert.ok(
    ports.some((i) => i.label === 'ssh' && /^22\/tcp/.test(i.detail ?? '')),
    JSON.stringify(ports.slice(0, 5)),
  );
});
