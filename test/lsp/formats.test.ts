/** Each host-firewall format through the real server over stdio: the same risky port, found and explained. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { CodeAction, Diagnostic, Hover, TextEdit } from 'vscode-languageserver-protocol';
import { REPO } from '../support/corpus';
import { LspClient } from '../support/lsp-client';

const DIR = path.join(REPO, 'test/fixtures/equivalence');
let client: LspClient;
before(async () => {
  client = new LspClient();
  await client.initialize();
});
after(() => client.close());

for (const [language, file, token] of [
  ['nftables', 'policy.nft', '3389'],
  ['pf', 'pf.conf', '3389'],
  ['firewalld', 'firewalld/zones/policy.xml', 'rdp'],
] as const) {
  test(`${language}: RDP open to the world is diagnosed on its token and explained on hover`, async () => {
    const p = path.join(DIR, file);
    const text = fs.readFileSync(p, 'utf8');
    const uri = pathToFileURL(p).href;
    await client.open(uri, text, language);
    const d = await client.diagnostics(uri, (x) => x.some((y) => y.code === 'PC101'));
    const rdp = d.find(
      (x) => x.code === 'PC101' && text.split('\n')[x.range.start.line].slice(x.range.start.character, x.range.end.character) === token,
    );
    assert.ok(rdp, `PC101 on \`${token}\`: ${JSON.stringify(d.map((x) => [x.code, x.range.start.line, x.message.slice(0, 60)]))}`);
    assert.match(rdp.message, /RDP/);
    const h = await client.request<Hover>('textDocument/hover', {
      textDocument: { uri },
      position: { line: rdp.range.start.line, character: rdp.range.start.character + 1 },
    });
    assert.match((h.contents as { value: string }).value, /3389/);
    assert.match((h.contents as { value: string }).value, /RDP/);
  });
}

/** Applies LSP text edits to a text (edits do not overlap; applied from the end). */
function apply(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return [...edits]
    .sort((a, b) => offset(b.range.start) - offset(a.range.start))
    .reduce((t, e) => t.slice(0, offset(e.range.start)) + e.newText + t.slice(offset(e.range.end)), text);
}

for (const [language, file, written] of [
  ['iptables', 'policy.rules', /^\s*# portcullis-ignore PC101: reason$/m],
  ['nftables', 'policy.nft', /^\s*# portcullis-ignore PC101: reason$/m],
  ['pf', 'pf.conf', /^\s*# portcullis-ignore PC101: reason$/m],
  ['firewalld', 'firewalld/zones/policy.xml', /^\s*<!-- portcullis-ignore PC101: reason -->$/m],
] as const) {
  test(`${language}: the suppression quick fix writes the format's own comment, which the format then honours`, async () => {
    const p = path.join(DIR, file);
    const text = fs.readFileSync(p, 'utf8');
    const uri = pathToFileURL(p).href;
    await client.open(uri, text, language);
    const before = await client.diagnostics(uri, (x) => x.some((y) => y.code === 'PC101'));
    const target = before.find((x) => x.code === 'PC101')!;
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: target.range,
      context: { diagnostics: [target] },
    });
    const suppress = actions.find((a) => a.title.startsWith('Suppress PC101'));
    assert.ok(suppress, actions.map((a) => a.title).join(' | '));
    const fixed = apply(text, suppress.edit!.changes![uri]);
    assert.match(fixed, written);
    const fixedUri = pathToFileURL(path.join(path.dirname(p), 'suppressed', path.basename(p))).href; // same name: firewalld zones are named by it
    await client.open(fixedUri, fixed, language);
    const after = await client.diagnostics(fixedUri);
    const key = (d: Diagnostic) => `${d.code} ${d.message}`;
    // Exactly the suppressed finding is gone; the only new one is the hint that the reason is still the
    // placeholder (so the comment was read as a suppression); a broken comment would be a syntax error.
    const placeholder =
      'PC012 this suppression still has the placeholder reason: say why the finding is acceptable here, for the next reviewer.';
    const expected = [...before.filter((d) => d !== target).map(key), placeholder].sort();
    assert.deepEqual(after.map(key).sort(), expected);
  });
}
