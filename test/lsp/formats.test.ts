/** Each host-firewall format through the real server over stdio: the same risky port, found and explained. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Hover } from 'vscode-languageserver-protocol';
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
    const rdp = d.find((x) => x.code === 'PC101' && text.split('\n')[x.range.start.line].slice(x.range.start.character, x.range.end.character) === token);
    assert.ok(rdp, `PC101 on \`${token}\`: ${JSON.stringify(d.map((x) => [x.code, x.range.start.line, x.message.slice(0, 60)]))}`);
    assert.match(rdp.message, /RDP/);
    const h = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: rdp.range.start.line, character: rdp.range.start.character + 1 } });
    assert.match((h.contents as { value: string }).value, /3389/);
    assert.match((h.contents as { value: string }).value, /RDP/);
  });
}
