'use strict';
// A Terraform file in a real VS Code extension host: the language, the diagnostic on the token inside the HCL
// block, the hover, and a quick fix that restricts the source and clears the finding.
const assert = require('assert');
const vscode = require('vscode');
const { open, codeOf, portcullisDiagnostics, waitFor, waitForDiagnostic, positionOf } = require('./helpers');

suite('Portcullis on Terraform', function () {
  this.timeout(30000);

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor').then(undefined, () => undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('RDP open to the world in an aws_security_group: diagnostic on from_port, hover, restrict-source fix', async () => {
    const doc = await open('main.tf');
    assert.strictEqual(doc.languageId, 'terraform');
    const d = await waitForDiagnostic(doc.uri, 'PC101', (x) => /RDP/.test(x.message));
    assert.strictEqual(doc.getText(d.range), '3389', 'the range is the from_port value inside the ingress block');
    assert.strictEqual(d.range.start.line, 13);
    assert.match(d.message, /aws_security_group\.web\/ingress\[1\] in chain aws_security_group\.web/);
    const hovers = await vscode.commands.executeCommand('vscode.executeHoverProvider', doc.uri, positionOf(doc, '3389', 1));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /RDP/);
    assert.match(text, /reachable from any IPv4 address through this rule \(chain aws_security_group\.web\)/);
    const actions = await vscode.commands.executeCommand('vscode.executeCodeActionProvider', doc.uri, d.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a) => /^Restrict the source/.test(a.title));
    // The VS Code client applies it as a snippet (the network selected for typing) through a command.
    assert.ok(fix && (fix.edit || fix.command), `restrict-source among: ${actions.map((a) => a.title).join(' | ')}`);
    if (fix.edit) assert.ok(await vscode.workspace.applyEdit(fix.edit));
    else await vscode.commands.executeCommand(fix.command.command, ...fix.command.arguments);
    assert.match(doc.getText(), /cidr_blocks = \["192\.0\.2\.0\/24"\]\n {2}\}\n\}/);
    await waitFor(() => !portcullisDiagnostics(doc.uri).some((x) => codeOf(x) === 'PC101' && /RDP/.test(x.message)), 'the RDP finding to disappear');
    await vscode.commands.executeCommand('undo');
  });
});
