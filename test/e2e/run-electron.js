#!/usr/bin/env node
'use strict';
// Runs the e2e suite with @vscode/test-electron: downloads VS Code (needs the network and a display, e.g. xvfb-run)
// and starts it on a throw-away copy of test/e2e/workspace. Offline, use scripts/test-e2e.sh, which prefers the
// offline harness in ../shared/tools/vscode-e2e.
const fs = require('fs');
const os = require('os');
const path = require('path');

async function main() {
  const { runTests } = require('@vscode/test-electron');
  const root = path.resolve(__dirname, '..', '..');
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-e2e-ws-'));
  fs.cpSync(path.join(__dirname, 'workspace'), ws, { recursive: true });
  try {
    await runTests({
      version: process.env.PORTCULLIS_E2E_VSCODE_VERSION || 'stable',
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(__dirname, 'index.js'),
      launchArgs: [ws, '--disable-extensions', '--skip-welcome', '--skip-release-notes'],
      extensionTestsEnv: { PORTCULLIS_E2E_METRICS: process.env.PORTCULLIS_E2E_METRICS || '' },
    });
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`e2e (test-electron): ${err && err.message ? err.message : err}`);
  process.exit(1);
});
