'use strict';
// Restricted mode (run with workspace trust on and the folder untrusted, see scripts/test-e2e.sh): diagnostics
// still work, probing does not — no connection is made.
const assert = require('assert');
const net = require('net');
const vscode = require('vscode');
const { open, waitForDiagnostic } = require('./helpers');

suite('Portcullis in an untrusted workspace', function () {
  this.timeout(30000);

  test('diagnostics work, the probe command refuses and contacts nothing', async () => {
    assert.strictEqual(vscode.workspace.isTrusted, false, 'this suite must run in an untrusted workspace');
    const doc = await open('rdp.rules');
    await waitForDiagnostic(doc.uri, 'PC101');
    let connections = 0;
    const server = net.createServer((s) => { connections++; s.destroy(); });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    try {
      const report = await vscode.commands.executeCommand('portcullis.probeHost', { target: '127.0.0.1', ports: String(server.address().port) });
      assert.strictEqual(report, undefined);
      await new Promise((r) => setTimeout(r, 300));
      assert.strictEqual(connections, 0);
    } finally {
      server.close();
    }
  });
});
