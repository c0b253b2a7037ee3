'use strict';
// The probe command (portcullis.probe): pending until it exists.
const vscode = require('vscode');

suite('Portcullis probe', function () {
  test('PENDING: portcullis.probe against a loopback target reports drift diagnostics', async function () {
    const commands = await vscode.commands.getCommands(true);
    if (!commands.includes('portcullis.probe')) {
      console.log('probe: PENDING — the portcullis.probe command does not exist yet');
      this.skip();
    }
    throw new Error('portcullis.probe now exists: replace this pending test with a real one (loopback target, ports via arguments, drift diagnostics)');
  });
});
