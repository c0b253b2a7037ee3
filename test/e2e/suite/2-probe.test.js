'use strict';
// "Portcullis: Probe Ports on Host…" in a real extension host: a loopback target and the file's ports through
// the command's arguments; open/closed results and drift diagnostics on the file. Only 127.0.0.1 is contacted,
// where the test opens its own listener.
const assert = require('assert');
const fs = require('fs');
const net = require('net');
const vscode = require('vscode');
const { waitFor, workspaceFile, open, codeOf, portcullisDiagnostics } = require('./helpers');

suite('Portcullis probe', function () {
  this.timeout(30000);
  let server;
  let openPort;
  let closedPort;

  suiteSetup(async () => {
    server = net.createServer((s) => {
      s.on('error', () => undefined);
      s.end('SSH-2.0-e2e\r\n');
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    openPort = server.address().port;
    const tmp = net.createServer();
    await new Promise((r) => tmp.listen(0, '127.0.0.1', r));
    closedPort = tmp.address().port;
    await new Promise((r) => tmp.close(r));
    // The file blocks the port that answers and opens the one nothing listens on: both are drift.
    const text = ['*filter', ':INPUT DROP [0:0]', '-A INPUT -i lo -j ACCEPT', `-A INPUT -p tcp --dport ${closedPort} -j ACCEPT`, `-A INPUT -p tcp --dport ${openPort} -j DROP`, 'COMMIT', ''].join('\n');
    fs.writeFileSync(workspaceFile('probe.rules').fsPath, text);
  });

  suiteTeardown(async () => {
    server.close();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('the probe command reports open and closed ports and adds drift diagnostics', async () => {
    assert.strictEqual(vscode.workspace.isTrusted, true, 'the e2e workspace is trusted');
    const doc = await open('probe.rules');
    const report = await vscode.commands.executeCommand('portcullis.probeHost', { target: '127.0.0.1', uri: doc.uri.toString() });
    assert.ok(report && Array.isArray(report.results), `the command returns the report: ${JSON.stringify(report)}`);
    const byPort = new Map(report.results.map((r) => [r.port, r]));
    assert.strictEqual(byPort.get(openPort).state, 'open');
    assert.match(byPort.get(openPort).banner || '', /SSH-2\.0-e2e/);
    assert.strictEqual(byPort.get(closedPort).state, 'closed');
    const drift = await waitFor(() => {
      const d = portcullisDiagnostics(doc.uri).filter((x) => ['PC201', 'PC202'].includes(codeOf(x)));
      return d.length === 2 ? d : undefined;
    }, 'PC201 and PC202 after the probe');
    const pc201 = drift.find((d) => codeOf(d) === 'PC201');
    assert.strictEqual(pc201.range.start.line, 4);
    assert.strictEqual(pc201.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(pc201.message, /^probe of 127\.0\.0\.1 at \d{4}-\d\d-\d\dT/);
  });

  test('a typed port list works without a file', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const report = await vscode.commands.executeCommand('portcullis.probeHost', { target: '127.0.0.1', ports: `${openPort},${closedPort}` });
    assert.deepStrictEqual(report.results.map((r) => [r.port, r.state]).sort((a, b) => a[0] - b[0]), [[openPort, 'open'], [closedPort, 'closed']].sort((a, b) => a[0] - b[0]));
    assert.ok(report.results.every((r) => r.expected === undefined), 'no file, no expectation');
  });
});
