/** Editor craft over stdio: inlay hints, code lenses, snippet quick fixes, hovers, completion, the exposure view data. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { CodeAction, CodeLens, CompletionItem, Diagnostic, Hover, InlayHint } from 'vscode-languageserver-protocol';
import { LspClient } from '../support/lsp-client';
import { CORPUS, HAVE_CORPUS, NO_CORPUS, REPO, corpusFiles } from '../support/corpus';

const RULES = [
  '*filter',
  ':INPUT DROP [0:0]',
  ':FORWARD DROP [0:0]',
  ':OUTPUT ACCEPT [0:0]',
  ':LOGDROP - [0:0]',
  '-A INPUT -i lo -j ACCEPT',
  '-A INPUT -p tcp --dport 3389 -j ACCEPT',
  '-A INPUT -p tcp --dport 5432 -s 10.0.0.0/8 -j ACCEPT',
  '-A INPUT -p tcp --dport ssh -j ACCEPT',
  '-A INPUT -p tcp --dport 443 -j ACCEPT',
  '-A INPUT -j LOGDROP',
  '-A LOGDROP -j DROP',
  'COMMIT',
  '',
].join('\n');

const NFT = [
  'define web = { 80, 443, 8000-8080 }',
  'table inet filter {',
  '  chain input {',
  '    type filter hook input priority 0; policy drop;',
  '    iif lo accept',
  '    tcp dport $web accept',
  '    tcp dport { ssh, 5432 } accept',
  '    ',
  '  }',
  '}',
  '',
].join('\n');

const ZONE = [
  '<?xml version="1.0" encoding="utf-8"?>',
  '<zone>',
  '  <short>Public</short>',
  '  <service name="samba-client"/>',
  '  <service name="ssh"/>',
  '</zone>',
  '',
].join('\n');

type Md = { value: string };
const mdOf = (h: Hover | null) => (h ? (h.contents as Md).value : '');

let client: LspClient;
before(async () => {
  assert.ok(fs.existsSync(path.join(REPO, 'dist/server.js')), 'run `node esbuild.mjs` first (npm test does)');
  client = new LspClient();
  const init = (await client.initialize()) as { capabilities: Record<string, unknown> };
  assert.ok(init.capabilities.inlayHintProvider, 'inlay hints advertised');
  assert.ok(init.capabilities.codeLensProvider, 'code lenses advertised');
});
after(() => client.close());

async function openDoc(name: string, text: string, languageId: string): Promise<{ uri: string; diags: Diagnostic[] }> {
  const uri = `file:///tmp/portcullis-editor/${name}`;
  await client.open(uri, text, languageId);
  return { uri, diags: await client.diagnostics(uri) };
}

const hintsOf = (uri: string, lines: number) =>
  client.request<InlayHint[]>('textDocument/inlayHint', {
    textDocument: { uri },
    range: { start: { line: 0, character: 0 }, end: { line: lines, character: 0 } },
  });
const labelOf = (h: InlayHint) => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join(''));

test('inlay hints: service after a port number, ports of a service name, a verdict on a risky internet rule', async () => {
  const { uri } = await openDoc('hints.rules', RULES, 'iptables');
  const hints = await hintsOf(uri, 20);
  const on = (line: number) => hints.filter((h) => h.position.line === line).map(labelOf);
  const lines = RULES.split('\n');
  // 3389 ▸ ms-wbt-server right after the token, and the verdict at the end of the line.
  const rdp = hints.find((h) => h.position.line === 6 && labelOf(h) === 'ms-wbt-server');
  assert.ok(rdp, JSON.stringify(on(6)));
  assert.equal(rdp.position.character, lines[6].indexOf('3389') + 4);
  assert.ok(
    on(6).some((l) => /^⚠ internet: RDP 3389\/tcp$/.test(l)),
    JSON.stringify(on(6)),
  );
  // 5432 from a private network: a service name, no internet verdict.
  assert.deepEqual(on(7), ['postgresql']);
  // A service name gets its port.
  assert.ok(on(8).includes('= 22'), JSON.stringify(on(8)));
  // 443 is not risky: its service only.
  assert.deepEqual(on(9), ['https']);
});

test('inlay hints: a $variable lists its ports; a firewalld service all of its ports; the setting turns hints off', async () => {
  const { uri } = await openDoc('hints.nft', NFT, 'nftables');
  const hints = await hintsOf(uri, 20);
  const web = hints.find((h) => h.position.line === 5 && labelOf(h).startsWith('='));
  assert.ok(web, JSON.stringify(hints.map(labelOf)));
  assert.match(labelOf(web), /^= 80 \S+, 443 https, 8000–8080$/);
  assert.equal(web.position.character, NFT.split('\n')[5].indexOf('$web') + 4);
  const zone = await openDoc('firewalld/zones/public.xml', ZONE, 'firewalld');
  const zh = await hintsOf(zone.uri, 10);
  assert.ok(
    zh.some((h) => h.position.line === 3 && labelOf(h) === '= 137, 138'),
    JSON.stringify(zh.map(labelOf)),
  );

  const off = new LspClient({ configuration: { inlayHints: { enabled: false } } });
  try {
    await off.initialize();
    const u = 'file:///tmp/portcullis-editor/off.rules';
    await off.open(u, RULES);
    await off.diagnostics(u);
    const none = await off.request<InlayHint[]>('textDocument/inlayHint', {
      textDocument: { uri: u },
      range: { start: { line: 0, character: 0 }, end: { line: 20, character: 0 } },
    });
    assert.deepEqual(none, []);
  } finally {
    await off.close();
  }
});

test('code lens above each chain: internet ports and risky ones, opening the exposure view at the chain', async () => {
  const { uri } = await openDoc('lens.rules', RULES, 'iptables');
  const lenses = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
  const input = lenses.find((l) => l.range.start.line === 1);
  assert.ok(input, JSON.stringify(lenses));
  // 3389, 22 and 443 from anywhere (5432 only from 10/8); RDP and SSH are risky.
  assert.equal(input.command!.title, '3 ports reachable from the internet · 2 risky');
  assert.equal(input.command!.command, 'portcullis.showExposure');
  assert.deepEqual(input.command!.arguments, [uri, { table: 'filter', chain: 'INPUT' }]);
  const forward = lenses.find((l) => l.range.start.line === 2);
  assert.equal(forward?.command?.title, 'nothing reachable from the internet');
  const nft = await openDoc('lens.nft', NFT, 'nftables');
  const nl = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: nft.uri } });
  assert.equal(nl.length, 1);
  assert.equal(nl[0].range.start.line, 2);
  // 80, 443, 8000–8080 (81 ports) + 22 + 5432 on TCP; risky: 8080, SSH, PostgreSQL.
  assert.equal(nl[0].command!.title, '85 ports reachable from the internet · 3 risky');
});

test('exposure view data: rows worst-first with services, sources in words, deciding rules; same analysis as the JSON', async () => {
  const { uri } = await openDoc('view.rules', RULES, 'iptables');
  type Row = {
    protocol: string;
    portsLabel: string;
    services: string[];
    risks: { service: string }[];
    reach: string;
    sources: string;
    cidrs: string[];
    interface: string;
    rules: { line: number }[];
    policy: boolean;
  };
  const res = await client.request<{
    chains: { chain: string; entries: unknown[] }[];
    groups: { chain: string; family: string; range?: unknown; rows: Row[] }[];
  }>('workspace/executeCommand', { command: 'portcullis.exposure', arguments: [uri] });
  const input = res.groups.find((g) => g.chain === 'INPUT')!;
  assert.equal(input.rows.length, res.chains.find((c) => c.chain === 'INPUT')!.entries.length, 'one row per matrix entry');
  const order = input.rows.map((r) => `${r.reach}:${r.portsLabel}`);
  // Risky internet rows first (RDP is high, SSH medium), then the rest of the internet, the 10/8 row, loopback last.
  assert.deepEqual(order.slice(0, 3), ['internet:3389 (ms-wbt-server)', 'internet:22 (ssh)', 'internet:443 (https)']);
  assert.equal(order[3], 'networks:5432 (postgresql)');
  assert.ok(
    order.slice(4).every((o) => o.startsWith('local:')),
    order.join(' | '),
  );
  const rdp = input.rows[0];
  assert.equal(rdp.sources, 'any IPv4 address');
  assert.deepEqual(rdp.services, ['ms-wbt-server']);
  assert.equal(rdp.risks[0].service, 'RDP');
  assert.deepEqual(
    rdp.rules.map((r) => r.line),
    [6],
  );
  assert.equal(input.rows[3].sources, '10.0.0.0/8');
  assert.ok(input.rows[4].interface === 'on lo');
});

test(
  'exposure view data on the corpus: words for "almost any" sources, every group has its chain range',
  { skip: !HAVE_CORPUS && NO_CORPUS },
  async () => {
    let almost = 0;
    let groups = 0;
    const files = [...corpusFiles('iptables').slice(0, 12), ...corpusFiles('nftables'), ...corpusFiles('pf')];
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      const languageId = file.includes('/nftables/') ? 'nftables' : file.includes('/pf/') ? 'pf' : 'iptables';
      const uri = pathToFileURL(file).href;
      await client.open(uri, text, languageId);
      const res = await client.request<{
        groups: { range?: unknown; rows: { sources: string; cidrCount: number; cidrs: string[] }[] }[];
      } | null>('workspace/executeCommand', { command: 'portcullis.exposure', arguments: [uri] });
      assert.ok(res, file);
      for (const g of res.groups) {
        groups++;
        assert.ok(g.range, `${path.relative(CORPUS, file)}: a group without its chain's range`);
        for (const r of g.rows) {
          if (r.sources.startsWith('almost any')) almost++;
          assert.ok(r.cidrs.length <= 200 && r.cidrs.length <= r.cidrCount);
        }
      }
      const lenses = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
      assert.ok(
        lenses.every((l) => /reachable from the internet/.test(l.command!.title)),
        file,
      );
    }
    console.log(`exposure view: ${files.length} corpus files, ${groups} groups, ${almost} rows from "almost any" address`);
    assert.ok(groups > 20, `only ${groups} groups`);
  },
);

test('snippet quick fixes: the network and the reason are selected placeholders, in the way the client can take them', async () => {
  const cases = [
    { mode: 'command', init: { initializationOptions: { snippetCommand: true } } },
    { mode: 'lsp', init: { workspace: { workspaceEdit: { snippetEditSupport: true } } } },
  ] as const;
  for (const c of cases) {
    const lsp = new LspClient();
    try {
      await lsp.initialize(null, true, false, c.init);
      const uri = `file:///tmp/portcullis-editor/snippet-${c.mode}.rules`;
      await lsp.open(uri, RULES);
      const d = await lsp.diagnostics(uri, (x) => x.some((y) => y.code === 'PC101'));
      const rdp = d.find((x) => x.code === 'PC101' && x.range.start.line === 6)!;
      const actions = await lsp.request<CodeAction[]>('textDocument/codeAction', {
        textDocument: { uri },
        range: rdp.range,
        context: { diagnostics: [rdp] },
      });
      const restrict = actions.find((a) => a.title.startsWith('Restrict the source'))!;
      const suppress = actions.find((a) => a.title.startsWith('Suppress PC101'))!;
      const snippetOf = (a: CodeAction): string => {
        if (c.mode === 'command') {
          assert.equal(a.command?.command, 'portcullis.applySnippet');
          assert.equal(a.command.arguments![0], uri);
          assert.equal(a.edit, undefined, 'the command inserts the text; no second edit');
          return a.command.arguments![2] as string;
        }
        const change = (
          a.edit as unknown as {
            documentChanges: { textDocument: { uri: string; version: number }; edits: { snippet: { kind: string; value: string } }[] }[];
          }
        ).documentChanges[0];
        assert.deepEqual(change.textDocument, { uri, version: 1 });
        assert.equal(change.edits[0].snippet.kind, 'snippet');
        return change.edits[0].snippet.value;
      };
      assert.equal(snippetOf(restrict), ' -s ${1:192.0.2.0/24}');
      assert.equal(restrict.isPreferred, true);
      assert.equal(snippetOf(suppress), '# portcullis-ignore PC101: ${1:reason}\n');
    } finally {
      await lsp.close();
    }
  }
});

test('a placeholder left unchanged gets a PC012 hint; replacing it clears the hint', async () => {
  const text = RULES.replace(
    '-A INPUT -p tcp --dport 3389',
    '# portcullis-ignore PC101: reason\n-A INPUT -s 192.0.2.0/24 -p tcp --dport 3389',
  );
  const { uri, diags } = await openDoc('placeholder.rules', text, 'iptables');
  const hints = diags.filter((x) => x.code === 'PC012');
  assert.equal(hints.length, 2, JSON.stringify(diags.map((x) => [x.code, x.message])));
  assert.ok(hints.every((h) => h.severity === 4));
  const lines = text.split('\n');
  const [reason, network] = hints;
  assert.equal(lines[reason.range.start.line].slice(reason.range.start.character, reason.range.end.character), 'reason');
  assert.match(lines[network.range.start.line].slice(network.range.start.character, network.range.end.character), /^-s 192\.0\.2\.0\/24$/);
  assert.match(network.message, /placeholder/);
  const filled = text.replace(': reason', ': RDP for the helpdesk VPN only').replace('192.0.2.0/24', '198.51.100.0/24');
  await client.change(uri, 2, [{ text: filled }]);
  const after = await client.diagnostics(uri, (_, v) => v === 2);
  assert.ok(!after.some((x) => x.code === 'PC012'), JSON.stringify(after.map((x) => x.code)));
});

test('hovers: service name verdicts, chain names after -A and in jump targets, variables, every port of a firewalld service', async () => {
  const { uri } = await openDoc('hover.rules', RULES, 'iptables');
  const hover = (u: string, line: number, character: number) =>
    client.request<Hover | null>('textDocument/hover', { textDocument: { uri: u }, position: { line, character } });
  const ssh = mdOf(await hover(uri, 8, 25));
  assert.match(ssh, /^\*\*`ssh`\*\* — TCP 22/);
  assert.match(ssh, /\*\*Here:\*\*\n- TCP 22 reachable from any IPv4 address through this rule \(chain INPUT\)/);
  // The diagnostic at 3389 already says why RDP is risky; the hover does not repeat it.
  const rdp = mdOf(await hover(uri, 6, 26));
  assert.match(rdp, /^\*\*Port 3389\*\*/);
  assert.match(rdp, /RDP \(Windows Remote Desktop\)\*\* — high risk when exposed \(the problem above/);
  assert.doesNotMatch(rdp, /password spraying/);
  // The chain in `-A INPUT` and a jump target.
  const chain = mdOf(await hover(uri, 6, 4));
  assert.match(chain, /^\*\*chain INPUT\*\* — table `filter`, hooked to input\n\nDefault policy: \*\*DROP\*\*/);
  const jump = mdOf(await hover(uri, 10, 15));
  assert.match(jump, /^This rule jumps to \*\*LOGDROP\*\*/);
  assert.match(jump, /\*\*chain LOGDROP\*\* — table `filter`, user chain/);
  assert.match(jump, /Jumped to from: INPUT \(line 11\)/);

  const nft = await openDoc('hover.nft', NFT, 'nftables');
  const web = mdOf(await hover(nft.uri, 5, 16));
  assert.match(web, /^\*\*`\$web`\*\* — TCP 80, 443, 8000–8080/);
  assert.match(web, /TCP 443: `https`/);
  assert.match(web, /- TCP 80, 443, 8000–8080 reachable from any IPv4 address/);

  const zone = await openDoc('firewalld/zones/hover.xml', ZONE, 'firewalld');
  const samba = mdOf(await hover(zone.uri, 3, 20));
  assert.match(samba, /^\*\*`samba-client`\*\* — UDP 137–138/);
  assert.match(samba, /UDP 137: `netbios-ns`/);
  assert.match(samba, /UDP 138: `netbios-dgm`/);
  assert.match(samba, /- UDP 137–138 reachable from any IPv4 address/);
  const links = [...samba.matchAll(/\[([^\]]+)\]\(([^)]+)\)/g)];
  assert.ok(links.length >= 2);
  assert.equal(new Set(links.map((l) => l[1])).size, links.length, `link labels repeat: ${links.map((l) => l[1]).join(', ')}`);
  assert.equal(new Set(links.map((l) => l[2])).size, links.length, 'a link is repeated');
});

const completeAt = async (uri: string, line: number, character: number) =>
  client.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: { line, character } });
const sorted = (items: CompletionItem[]) => [...items].sort((a, b) => (a.sortText ?? a.label).localeCompare(b.sortText ?? b.label));

test('completion in nftables: statements in a chain, common services first with documentation, variables and chains', async () => {
  const text = NFT.replace('    \n', '    tcp dport \n    ip saddr $\n    jump \n    ct state \n    \n');
  const { uri } = await openDoc('complete.nft', text, 'nftables');
  const lines = text.split('\n');
  const at = (line: number) => completeAt(uri, line, lines[line].length);
  const ports = sorted(await at(7));
  assert.deepEqual(
    ports.slice(0, 3).map((i) => i.label),
    ['ssh', 'www-http', 'https'],
  );
  const ssh = ports[0];
  assert.match(ssh.detail!, /^22\/tcp/);
  assert.match((ssh.documentation as Md).value, /TCP 22: `ssh`/);
  assert.match((ssh.documentation as Md).value, /SSH \(remote shell\)\*\* — medium risk/);
  assert.ok(
    ports.findIndex((i) => i.label === 'ssh') < ports.findIndex((i) => i.label.startsWith('acas')) ||
      !ports.some((i) => i.label.startsWith('acas')),
  );
  assert.deepEqual(
    (await at(8)).map((i) => i.label),
    ['$web'],
  );
  const states = (await at(10)).map((i) => i.label);
  assert.ok(states.includes('established') && states.includes('new'), states.join(' '));
  const statements = (await at(11)).map((i) => i.label);
  for (const s of ['tcp dport', 'ip saddr', 'ct state', 'accept', 'drop', 'counter', 'jump'])
    assert.ok(statements.includes(s), `${s} in ${statements.join(', ')}`);
  const top = (await completeAt(uri, 0, 0)).map((i) => i.label);
  assert.ok(top.includes('table') && top.includes('define'), top.join(' '));
});

test('completion in pf: rule keywords, macros and tables, services after port', async () => {
  const text = [
    'ext_if = "em0"',
    'table <trusted> persist { 10.0.0.0/8 }',
    'block all',
    'pass in on $',
    'pass in proto tcp from ',
    'pass in proto tcp to port ',
    'pass in ',
    '',
  ].join('\n');
  const { uri } = await openDoc('pf.conf', text, 'pf');
  const lines = text.split('\n');
  const at = (line: number) => completeAt(uri, line, lines[line].length);
  assert.deepEqual(
    (await at(3)).map((i) => i.label),
    ['$ext_if'],
  );
  const from = (await at(4)).map((i) => i.label);
  assert.ok(from.includes('any') && from.includes('<trusted>') && from.includes('$ext_if'), from.join(' '));
  assert.equal(sorted(await at(5))[0].label, 'ssh');
  const kw = (await at(6)).map((i) => i.label);
  for (const k of ['quick', 'proto', 'from', 'to', 'port', 'keep state']) assert.ok(kw.includes(k), `${k} in ${kw.join(', ')}`);
  const start = (await completeAt(uri, 7, 0)).map((i) => i.label);
  assert.ok(start.includes('pass') && start.includes('block') && start.includes('table'), start.join(' '));
});

test('completion in firewalld: elements, attributes, service names with all their ports', async () => {
  const text = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<zone>',
    '  <',
    '  <service name="',
    '  <port ',
    '  <rule family="ipv4">',
    '    <',
    '  </rule>',
    '</zone>',
    '',
  ].join('\n');
  const { uri } = await openDoc('firewalld/zones/complete.xml', text, 'firewalld');
  const lines = text.split('\n');
  const at = (line: number) => completeAt(uri, line, lines[line].length);
  const elements = (await at(2)).map((i) => i.label);
  assert.ok(elements.includes('service') && elements.includes('port') && elements.includes('rule'), elements.join(' '));
  const services = sorted(await at(3));
  assert.deepEqual(
    services.slice(0, 3).map((i) => i.label),
    ['ssh', 'http', 'https'],
  );
  const samba = services.find((i) => i.label === 'samba-client')!;
  assert.match(samba.detail!, /137\/udp/);
  assert.match((samba.documentation as Md).value, /UDP 137: `netbios-ns`[\s\S]*UDP 138: `netbios-dgm`/);
  const attrs = await at(4);
  assert.deepEqual(
    attrs.map((i) => i.label),
    ['port', 'protocol'],
  );
  assert.equal(attrs[0].insertText, 'port="');
  const inRule = (await at(6)).map((i) => i.label);
  assert.ok(inRule.includes('accept') && inRule.includes('source'), inRule.join(' '));
});

test('formatting: Format Document on nftables and pf, Format Selection on a few lines, nothing for formats without a layout', async () => {
  type Edit = { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string };
  const messy =
    'table inet f { chain input { type filter hook input priority 0; policy drop;\ntcp dport {22,80} accept ; iif lo accept\n}\n}\n';
  const { uri } = await openDoc('format.nft', messy, 'nftables');
  const edits = await client.request<Edit[]>('textDocument/formatting', {
    textDocument: { uri },
    options: { tabSize: 4, insertSpaces: true },
  });
  assert.equal(edits.length, 1);
  assert.equal(
    edits[0].newText,
    'table inet f {\n    chain input {\n        type filter hook input priority 0; policy drop;\n        tcp dport { 22, 80 } accept;\n        iif lo accept\n    }\n}\n',
  );
  const range = await client.request<Edit[]>('textDocument/rangeFormatting', {
    textDocument: { uri },
    range: { start: { line: 1, character: 0 }, end: { line: 1, character: 5 } },
    options: { tabSize: 4, insertSpaces: true },
  });
  assert.deepEqual(range, [
    {
      range: { start: { line: 1, character: 0 }, end: { line: 1, character: messy.split('\n')[1].length } },
      newText: '        tcp dport { 22, 80 } accept;\n        iif lo accept',
    },
  ]);
  const p = await openDoc('pf.conf', 'pass in proto tcp to port {22,80}   \n\n\n\nblock all\n', 'pf');
  const pe = await client.request<Edit[]>('textDocument/formatting', {
    textDocument: { uri: p.uri },
    options: { tabSize: 4, insertSpaces: true },
  });
  assert.equal(pe[0].newText, 'pass in proto tcp to port { 22, 80 }\n\nblock all\n');
  const ipt = await openDoc('format.rules', RULES, 'iptables');
  assert.deepEqual(
    await client.request<Edit[]>('textDocument/formatting', {
      textDocument: { uri: ipt.uri },
      options: { tabSize: 4, insertSpaces: true },
    }),
    [],
  );
});
