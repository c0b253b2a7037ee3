/** Compose, Kubernetes, Dockerfile and services files through the real server over stdio, as any editor sees them. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { CodeAction, CompletionItem, Diagnostic, Hover, TextEdit } from 'vscode-languageserver-protocol';
import { LspClient } from '../support/lsp-client';

let client: LspClient;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-lsp-svc-'));
before(async () => {
  client = new LspClient();
  await client.initialize();
});
after(async () => {
  await client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Applies single-document edits (no overlaps) to text. */
function apply(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const offset = (l: number, c: number) => lines.slice(0, l).reduce((n, x) => n + x.length + 1, 0) + c;
  return [...edits]
    .sort((a, b) => offset(b.range.start.line, b.range.start.character) - offset(a.range.start.line, a.range.start.character))
    .reduce(
      (t, e) =>
        t.slice(0, offset(e.range.start.line, e.range.start.character)) +
        e.newText +
        t.slice(offset(e.range.end.line, e.range.end.character)),
      text,
    );
}

async function open(name: string, text: string, languageId: string): Promise<{ uri: string; diags: Diagnostic[] }> {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  const uri = pathToFileURL(p).href;
  await client.open(uri, text, languageId);
  const diags = await client.diagnostics(uri, (d) => d.length > 0);
  return { uri, diags };
}

const hover = async (uri: string, line: number, character: number) =>
  (
    (await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line, character } }))?.contents as
      { value: string } | undefined
  )?.value ?? '';

test("compose (as VS Code's dockercompose language): datastore diagnostic, hover verdict, bind-to-loopback fix that narrows", async () => {
  const text = [
    'services:',
    '  db:',
    '    image: postgres:16',
    '    ports:',
    '      - "5432:5432"',
    '  rdp:',
    '    image: xrdp',
    '    ports:',
    '      - target: 3389',
    '        published: 3389',
    '',
  ].join('\n');
  const { uri, diags } = await open('compose.yaml', text, 'dockercompose');
  const pc120 = diags.find((d) => d.code === 'PC120')!;
  assert.ok(pc120, JSON.stringify(diags.map((d) => d.code)));
  assert.equal(text.split('\n')[pc120.range.start.line].slice(pc120.range.start.character, pc120.range.end.character), '5432');
  assert.match(pc120.message, /PostgreSQL \(5432\/tcp\) is published on every address of the host/);
  assert.equal(pc120.codeDescription?.href.endsWith('/PC120.md'), true);
  const h = await hover(uri, 4, 10);
  assert.match(h, /PostgreSQL/);
  assert.match(h, /TCP 5432 published port \(→ 5432\/tcp\), on all IPv4 and IPv6 addresses of the host/);
  const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
    textDocument: { uri },
    range: pc120.range,
    context: { diagnostics: [pc120] },
  });
  const bind = actions.find((a) => a.title.startsWith('Bind to 127.0.0.1'))!;
  assert.ok(bind?.isPreferred, actions.map((a) => a.title).join(' | '));
  const fixed = apply(text, bind.edit!.changes![uri]);
  assert.equal(fixed.split('\n')[4], '      - "127.0.0.1:5432:5432"');
  assert.ok(!actions.some((a) => /DROP|REJECT/.test(a.title)));
  // The long syntax gets a host_ip key beside its first key.
  const rdp = diags.find((d) => d.code === 'PC101')!;
  const rdpFix = (
    await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: rdp.range,
      context: { diagnostics: [rdp] },
    })
  ).find((a) => a.title.startsWith('Bind'))!;
  const longFixed = apply(text, rdpFix.edit!.changes![uri]);
  assert.deepEqual(longFixed.split('\n').slice(8, 11), ['      - target: 3389', '        host_ip: 127.0.0.1', '        published: 3389']);
  // Applying the fixes removes the findings, and nothing new appears.
  const p2 = path.join(dir, 'fixed', 'compose.yaml');
  fs.mkdirSync(path.dirname(p2), { recursive: true });
  const uri2 = pathToFileURL(p2).href;
  const both = apply(
    fixed,
    (
      await client.request<CodeAction[]>('textDocument/codeAction', {
        textDocument: { uri },
        range: rdp.range,
        context: { diagnostics: [rdp] },
      })
    ).find((a) => a.title.startsWith('Bind'))!.edit!.changes![uri],
  );
  await client.open(uri2, both, 'dockercompose');
  const after2 = await client.diagnostics(uri2);
  assert.deepEqual(
    after2.filter((d) => d.severity! <= 2).map((d) => d.code),
    [],
  );
});

test('Kubernetes manifest opened as plain yaml is recognised by content: LoadBalancer fix adds loadBalancerSourceRanges', async () => {
  const text = [
    'apiVersion: v1',
    'kind: Service',
    'metadata:',
    '  name: web',
    'spec:',
    '  type: LoadBalancer',
    '  ports:',
    '    - port: 443',
    '      targetPort: 8443',
    '',
  ].join('\n');
  const { uri, diags } = await open('web-svc.yaml', text, 'yaml');
  const lb = diags.find((d) => d.code === 'PC122')!;
  assert.ok(lb, JSON.stringify(diags.map((d) => d.code)));
  const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
    textDocument: { uri },
    range: lb.range,
    context: { diagnostics: [lb] },
  });
  const fix = actions.find((a) => a.isPreferred)!;
  const fixed = apply(text, fix.edit!.changes![uri]);
  assert.deepEqual(fixed.split('\n').slice(5, 8), ['  type: LoadBalancer', '  loadBalancerSourceRanges:', '    - 192.0.2.0/24']);
  const h = await hover(uri, 7, 12);
  assert.match(h, /TCP 443 load balancer \(→ 8443\/tcp\), on all IPv4 and IPv6 addresses/);
  // Unrelated YAML: no diagnostics at all.
  const wf = path.join(dir, 'ci.yml');
  const wfText =
    'on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    services:\n      db:\n        image: postgres\n        ports: ["5432:5432"]\n';
  fs.writeFileSync(wf, wfText);
  await client.open(pathToFileURL(wf).href, wfText, 'yaml');
  await new Promise((r) => setTimeout(r, 500));
  const none = await client.diagnostics(pathToFileURL(wf).href, () => true, 300).catch(() => []);
  assert.deepEqual(none, []);
});

test('hostPort quick fix removes the line; Dockerfile EXPOSE and services hovers; compose port completion', async () => {
  const text = [
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    '  name: exporter',
    'spec:',
    '  containers:',
    '    - name: c',
    '      image: x',
    '      ports:',
    '        - containerPort: 9100',
    '          hostPort: 9100',
    '',
  ].join('\n');
  const { uri, diags } = await open('pod.yaml', text, 'yaml');
  const hp = diags.find((d) => d.code === 'PC125')!;
  const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
    textDocument: { uri },
    range: hp.range,
    context: { diagnostics: [hp] },
  });
  const drop = actions.find((a) => a.title.startsWith('Remove the hostPort'))!;
  assert.ok(drop, actions.map((a) => a.title).join(' | '));
  assert.equal(apply(text, drop.edit!.changes![uri]).split('\n')[10], '');
  const df = await open('Dockerfile', 'FROM debian:12\nEXPOSE 22 8080/tcp\n', 'dockerfile');
  assert.deepEqual(
    df.diags.map((d) => [d.code, d.severity]),
    [
      ['PC126', 3],
      ['PC126', 3],
    ],
  );
  assert.match(await hover(df.uri, 1, 8), /SSH[\s\S]*declared, not reachable from outside/);
  const sv = await open('services', 'ssh 22/tcp\nssh 2222/tcp\n', 'services');
  assert.deepEqual(
    sv.diags.map((d) => d.code),
    ['PC127', 'PC128'],
  );
  assert.match(await hover(sv.uri, 0, 1), /ssh[\s\S]*TCP 22[\s\S]*services file entry/);
  const c = await open(
    'docker-compose.yml',
    'services:\n  db:\n    image: postgres\n    ports:\n      - "3389:3389"\n      - post',
    'dockercompose',
  );
  void c.diags;
  const items = await client.request<CompletionItem[]>('textDocument/completion', {
    textDocument: { uri: c.uri },
    position: { line: 5, character: 12 },
  });
  const pg = items.find((i) => i.label === 'postgresql')!;
  assert.ok(
    pg,
    items
      .map((i) => i.label)
      .slice(0, 10)
      .join(),
  );
  assert.equal(pg.insertText, '"5432:5432"');
});

test('compose.override.yaml is merged with compose.yaml: !reset there withdraws the base file\'s finding; editing it re-checks', async () => {
  const pair = path.join(dir, 'pair');
  fs.mkdirSync(pair, { recursive: true });
  const baseText = ['services:', '  db:', '    image: postgres:16', '    ports:', '      - "5432:5432"', ''].join('\n');
  const overText = ['services:', '  db:', '    ports: !reset []', ''].join('\n');
  fs.writeFileSync(path.join(pair, 'compose.override.yaml'), overText);
  const base = pathToFileURL(path.join(pair, 'compose.yaml')).href;
  fs.writeFileSync(path.join(pair, 'compose.yaml'), baseText);
  await client.open(base, baseText, 'dockercompose');
  // The override on disk resets the service's ports: nothing is published, so no PC120.
  const first = await client.diagnostics(base);
  assert.ok(!first.some((d) => d.code === 'PC120'), JSON.stringify(first.map((d) => d.code)));
  const h = await hover(base, 4, 10);
  assert.match(h, /compose\.override\.yaml replaces this service's ports/);
  // The override, opened and edited: the port is published again (on every address) and the base file says so.
  const over = pathToFileURL(path.join(pair, 'compose.override.yaml')).href;
  await client.open(over, overText, 'dockercompose');
  const overDiags = await client.diagnostics(over);
  assert.ok(!overDiags.some((d) => d.code === 'PC001'), 'compose\'s !reset tag is not a YAML problem');
  await client.change(over, 2, [{ text: ['services:', '  db:', '    environment:', '      - A=1', ''].join('\n') }]);
  const after = await client.diagnostics(base, (d) => d.some((x) => x.code === 'PC120'));
  assert.equal(after.find((d) => d.code === 'PC120')!.range.start.line, 4);
});
