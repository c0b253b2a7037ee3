'use strict';
// Editor craft in a real extension host: the Exposure view (rows, filter, code lens click), inlay hints, a snippet
// quick fix whose placeholder is selected, and completion in nftables.
const assert = require('assert');
const vscode = require('vscode');
const { EXTENSION_ID, waitFor, open, waitForDiagnostic, positionOf } = require('./helpers');

suite('Portcullis editor craft', function () {
  this.timeout(30000);
  let api;

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    api = await ext.activate();
    await api.ready;
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor').then(undefined, () => undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('the Exposure view lists rows worst-first with services and sources in words; the filter narrows them', async () => {
    const doc = await open('exposure.rules');
    await waitForDiagnostic(doc.uri, 'PC101');
    await vscode.commands.executeCommand('portcullis.showExposure', doc.uri);
    const { view, tree } = api.exposure;
    await waitFor(() => view.uri && view.uri.toString() === doc.uri.toString() && view.visibleRows().length > 0, 'the view to show exposure.rules');
    await waitFor(() => tree.visible, 'the Exposure view to be visible');
    const groups = view.getChildren();
    const input = groups.find((g) => view.getTreeItem(g).label === 'filter/INPUT');
    assert.ok(input, `groups: ${groups.map((g) => view.getTreeItem(g).label).join(', ')}`);
    const rows = view.getChildren(input).map((n) => view.getTreeItem(n));
    const labels = rows.map((r) => `${r.label} | ${r.description}`);
    assert.match(labels[0], /^TCP 3389 \(ms-wbt-server\) \| ⚠ RDP · from any IPv4 address$/, labels.join('\n'));
    assert.match(labels[1], /^TCP 22 \(ssh\) \| ⚠ SSH · from any IPv4 address$/, labels.join('\n'));
    assert.match(labels[2], /^TCP 443 \(https\) \| from any IPv4 address$/);
    assert.match(labels[3], /^TCP 5432 \(postgresql\) \| ⚠ PostgreSQL · from 10\.0\.0\.0\/8$/);
    assert.match(labels[labels.length - 1], /on lo$/, 'loopback last');
    // A row expands to its sources and the rule that decides it, which links to the line.
    const rdpNode = view.getChildren(input)[0];
    const kids = view.getChildren(rdpNode).map((n) => view.getTreeItem(n));
    assert.equal(kids[0].label, 'from any IPv4 address');
    const rule = kids.find((k) => k.label === 'line 8');
    assert.ok(rule && rule.command, kids.map((k) => k.label).join(', '));
    assert.deepStrictEqual(rule.command.arguments, [doc.uri.toString(), 7]);
    // The filter box (a command with the text as argument, as the view's title button asks for it).
    await vscode.commands.executeCommand('portcullis.exposure.filter', 'ssh');
    assert.deepStrictEqual(view.visibleRows().map((r) => r.portsLabel), ['22 (ssh)']);
    assert.match(tree.message, /Filter: "ssh"/);
    await vscode.commands.executeCommand('portcullis.exposure.clearFilter');
    assert.ok(view.visibleRows().length >= 5);
  });

  test('a code lens above the chain summarises it, and clicking it opens the view at that chain', async () => {
    const doc = await open('web.nft');
    await waitForDiagnostic(doc.uri, 'PC001', () => true, 3000).catch(() => undefined);
    const lenses = await waitFor(() => vscode.commands.executeCommand('vscode.executeCodeLensProvider', doc.uri).then((l) => (l && l.length ? l : undefined)), 'code lenses on web.nft');
    const lens = lenses[0];
    assert.strictEqual(lens.range.start.line, 3, 'above `chain input`');
    assert.strictEqual(lens.command.title, '2 ports reachable from the internet');
    await vscode.commands.executeCommand(lens.command.command, ...lens.command.arguments);
    const { view, tree } = api.exposure;
    await waitFor(() => view.uri && view.uri.toString() === doc.uri.toString(), 'the view to show web.nft');
    await waitFor(() => tree.selection.length === 1, 'the chain to be selected in the view');
    const selected = view.getTreeItem(tree.selection[0]);
    assert.strictEqual(selected.label, 'inet filter/input');
  });

  test('inlay hints: the service after a port, the ports of a variable, a verdict on the RDP rule', async () => {
    const doc = await open('exposure.rules');
    await waitForDiagnostic(doc.uri, 'PC101');
    const range = new vscode.Range(0, 0, doc.lineCount, 0);
    const hints = await vscode.commands.executeCommand('vscode.executeInlayHintProvider', doc.uri, range);
    const label = (h) => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join(''));
    const rdp = hints.find((h) => label(h) === 'ms-wbt-server');
    assert.ok(rdp, hints.map(label).join(' | '));
    assert.deepStrictEqual([rdp.position.line, rdp.position.character], [7, positionOf(doc, '3389').character + 4]);
    assert.ok(hints.some((h) => h.position.line === 7 && /^⚠ internet: RDP 3389\/tcp$/.test(label(h))));
    assert.ok(hints.some((h) => h.position.line === 9 && label(h) === '= 22'));
    const nft = await open('web.nft');
    const nh = await vscode.commands.executeCommand('vscode.executeInlayHintProvider', nft.uri, new vscode.Range(0, 0, nft.lineCount, 0));
    assert.ok(nh.some((h) => /^= 80 \S+, 443 https$/.test(label(h))), nh.map(label).join(' | '));
  });

  test('"Restrict the source" inserts the network as a selected placeholder, and typing replaces it', async () => {
    const doc = await open('exposure.rules');
    const d = await waitForDiagnostic(doc.uri, 'PC101', (x) => x.range.start.line === 7);
    const actions = await vscode.commands.executeCommand('vscode.executeCodeActionProvider', doc.uri, d.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a) => /^Restrict the source/.test(a.title));
    assert.ok(fix && fix.command, `a snippet command among ${JSON.stringify(actions)}`);
    assert.strictEqual(fix.command.command, 'portcullis.applySnippet');
    await vscode.commands.executeCommand(fix.command.command, ...fix.command.arguments);
    const editor = vscode.window.activeTextEditor;
    assert.strictEqual(editor.document.uri.toString(), doc.uri.toString());
    assert.strictEqual(doc.lineAt(7).text, '-A INPUT -s 192.0.2.0/24 -p tcp --dport 3389 -j ACCEPT');
    assert.strictEqual(doc.getText(editor.selection), '192.0.2.0/24', 'the placeholder is selected for typing');
    // Left as it is, the placeholder earns a hint.
    await waitForDiagnostic(doc.uri, 'PC012');
    await vscode.commands.executeCommand('type', { text: '198.51.100.0/24' });
    assert.strictEqual(doc.lineAt(7).text, '-A INPUT -s 198.51.100.0/24 -p tcp --dport 3389 -j ACCEPT');
    await waitFor(() => !vscode.languages.getDiagnostics(doc.uri).some((x) => x.source === 'portcullis' && (x.code === 'PC012' || (x.code && x.code.value === 'PC012'))), 'PC012 to go once the network is typed');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  test('completion in nftables: after `tcp dport`, common services first, with documentation', async () => {
    const doc = await open('web.nft');
    const editor = vscode.window.activeTextEditor;
    const line = positionOf(doc, 'tcp dport $web').line;
    await editor.edit((e) => e.insert(new vscode.Position(line + 1, 0), '    tcp dport \n'));
    const pos = new vscode.Position(line + 1, '    tcp dport '.length);
    const list = await vscode.commands.executeCommand('vscode.executeCompletionItemProvider', doc.uri, pos);
    const items = [...list.items].sort((a, b) => (a.sortText || a.label).localeCompare(b.sortText || b.label));
    const labels = items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.deepStrictEqual(labels.slice(0, 3), ['ssh', 'www-http', 'https']);
    const doc0 = items[0].documentation;
    assert.match(typeof doc0 === 'string' ? doc0 : doc0.value, /TCP 22: `ssh`/);
    const statements = await vscode.commands.executeCommand('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(line + 1, 4));
    assert.ok(statements.items.some((i) => i.label === 'ct state'), 'statements in a chain');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  test('Format Document on an nftables file indents blocks and puts one statement per line', async () => {
    const doc = await open('messy.nft');
    const editor = vscode.window.activeTextEditor;
    editor.options = { tabSize: 4, insertSpaces: true };
    await vscode.commands.executeCommand('editor.action.formatDocument');
    const want = 'table inet filter {\n    chain input {\n        type filter hook input priority 0; policy drop;\n        iif lo accept;\n        tcp dport { 22, 443 } accept\n    }\n}\n';
    await waitFor(() => doc.getText() === want, 'the document to be formatted', 5000).catch(() => assert.strictEqual(doc.getText(), want));
    // Formatting again changes nothing.
    await vscode.commands.executeCommand('editor.action.formatDocument');
    assert.strictEqual(doc.getText(), want);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });
});
