/** Issue 11 over stdio: pf last-match, firewalld public zone, and a 1,653-error ruleset whose findings all show. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { CodeAction, Hover } from 'vscode-languageserver-protocol';
import { resolveSettings } from '../../server/src/analysis/settings';
import { formatById } from '../../server/src/formats/registry';
import { analyseText } from '../../server/src/pipeline';
import { CORPUS, HAVE_CORPUS, NO_CORPUS } from '../support/corpus';
import { LspClient } from '../support/lsp-client';

let client: LspClient;
before(async () => {
  client = new LspClient();
  await client.initialize();
});
after(() => client.close());

test('pf: block all + pass port 22 — only ssh, no delete fix, pass hover without "evaluation stops"', async () => {
  const uri = 'file:///tmp/portcullis-lsp/trust/pf.conf';
  await client.open(uri, 'block all\npass in proto tcp to port 22\n', 'pf');
  const d = await client.diagnostics(uri, (x) => x.length > 0);
  assert.deepEqual(
    d.map((x) => x.code),
    ['PC101'],
  );
  const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
    textDocument: { uri },
    range: { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } },
    context: { diagnostics: d },
  });
  assert.ok(!actions.some((a) => a.title === 'Delete this rule'));
  const h = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 1 } });
  const md = (h.contents as { value: string }).value;
  assert.match(md, /unless a later rule also matches it: the last matching rule decides/);
  assert.doesNotMatch(md, /evaluation stops/);
});

test('firewalld: public zone with ssh, dhcpv6-client and mdns reports only ssh, through "zone public"', async () => {
  const uri = 'file:///tmp/portcullis-lsp/trust/firewalld/zones/public.xml';
  await client.open(
    uri,
    '<?xml version="1.0" encoding="utf-8"?>\n<zone>\n  <service name="ssh"/>\n  <service name="dhcpv6-client"/>\n  <service name="mdns"/>\n</zone>\n',
    'firewalld',
  );
  const d = await client.diagnostics(uri, (x) => x.length > 0);
  assert.deepEqual(
    d.map((x) => [x.code, x.range.start.line]),
    [['PC101', 2]],
  );
  assert.match(d[0].message, /through zone public\./);
});

test("the corpus's largest ruleset: every PC101/PC103/PC105 is published within 1,000 diagnostics", async (t) => {
  if (!HAVE_CORPUS) return t.skip(NO_CORPUS);
  const file = path.join(CORPUS, 'iptables/tum-net-2015-09-03.rules');
  const text = fs.readFileSync(file, 'utf8');
  const expected = analyseText(text, formatById('iptables')!, file, resolveSettings({})).findings;
  const count = (list: { code?: unknown }[], code: string) => list.filter((f) => f.code === code).length;
  assert.equal(count(expected, 'PC001'), 1653, 'the file still has its 1,653 invalid-MAC errors');
  const uri = pathToFileURL(file).href;
  await client.open(uri, text);
  const d = await client.diagnostics(uri, (x) => x.length > 0, 60_000);
  assert.ok(d.length <= 1000, `${d.length} diagnostics: VS Code would drop the rest`);
  for (const code of ['PC101', 'PC103', 'PC105']) {
    assert.ok(count(expected, code) > 0, `${code} expected in the file`);
    assert.equal(count(d, code), count(expected, code), code);
  }
  // Analysis first; the invalid MAC once, with its count.
  const firstSyntax = d.findIndex((x) => /^PC0/.test(String(x.code)));
  assert.ok(d.slice(firstSyntax).every((x) => /^PC0/.test(String(x.code))));
  const mac = d.filter((x) => x.message.startsWith('invalid MAC address'));
  assert.equal(mac.length, 1);
  assert.match(mac[0].message, /1653 times in this file/);
});
