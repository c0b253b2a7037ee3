'use strict';
// Run only with PORTCULLIS_E2E_SUITES=vsix, after installing the packaged .vsix (scripts/test-e2e.sh does both):
// the extension that runs is the installed package, not the development folder.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const vscode = require('vscode');
const { EXTENSION_ID, waitFor, open, waitForDiagnostic, positionOf } = require('./helpers');

suite('Portcullis installed from the .vsix', function () {
  this.timeout(30000);

  test('is installed from the package, with only the shipped files', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not installed`);
    const root = ext.extensionPath;
    assert.ok(!fs.existsSync(path.join(root, 'server', 'src')), `${root} looks like the source tree, not the installed package`);
    for (const f of ['dist/extension.js', 'dist/server.js', 'package.json', 'images/icon.png', 'syntaxes/iptables.tmLanguage.json']) {
      assert.ok(fs.existsSync(path.join(root, f)), `${f} missing from the package`);
    }
    // vsce stores these as readme.md, changelog.md and LICENSE.txt.
    const top = fs.readdirSync(root).map((f) => f.toLowerCase());
    for (const f of ['readme', 'changelog', 'license']) assert.ok(top.some((x) => x.startsWith(f)), `${f} missing from the package (${top.join(', ')})`);
    const dist = fs.readdirSync(path.join(root, 'dist'));
    assert.deepStrictEqual(dist.filter((f) => f.endsWith('.map')), [], 'no source maps in the package');
    assert.ok(!fs.existsSync(path.join(root, 'node_modules')), 'no node_modules in the package (bundled)');
  });

  test('activates and diagnoses a rules file', async () => {
    const doc = await open('rdp.rules');
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    await waitFor(() => ext.isActive, 'the installed extension to activate');
    const d = await waitForDiagnostic(doc.uri, 'PC101');
    assert.strictEqual(doc.getText(d.range), '3389');
    const hovers = await vscode.commands.executeCommand('vscode.executeHoverProvider', doc.uri, positionOf(doc, '3389', 1));
    assert.match(hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n'), /RDP/);
  });
});
