'use strict';
// Test entry point loaded by the VS Code extension host (extensionTestsPath), under @vscode/test-electron or the
// offline harness (../shared/tools/vscode-e2e). Runs the mocha files in suite/ (or the ones named by
// PORTCULLIS_E2E_SUITES, comma-separated basenames) and writes $VSCODE_E2E_RESULTS for run-tests.mjs.
const fs = require('fs');
const path = require('path');
const Mocha = require('mocha');

function run() {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 30000 });
  const dir = path.join(__dirname, 'suite');
  const only = (process.env.PORTCULLIS_E2E_SUITES || '').split(',').filter(Boolean);
  for (const f of fs.readdirSync(dir).sort()) {
    if (!f.endsWith('.test.js')) continue;
    if (only.length ? !only.includes(f.replace(/\.test\.js$/, '')) : /^(vsix|untrusted)/.test(f)) continue;
    mocha.addFile(path.join(dir, f));
  }

  return new Promise((resolve, reject) => {
    const results = { passes: 0, failures: 0, pending: 0, tests: [] };
    let runner;
    try {
      runner = mocha.run((failures) => {
        results.failures = failures;
        const out = process.env.VSCODE_E2E_RESULTS;
        if (out) {
          try { fs.writeFileSync(out, JSON.stringify(results, null, 2)); } catch (e) { console.error(e); }
        }
        // run-tests.mjs prints this line itself from the results file; @vscode/test-electron does not.
        if (!out) console.log(`${results.passes} passed, ${results.failures} failed, ${results.pending} skipped`);
        if (failures > 0) reject(new Error(`${failures} test(s) failed.`));
        else resolve();
      });
    } catch (err) {
      reject(err);
      return;
    }
    runner.on('pass', (t) => { results.passes++; results.tests.push({ title: t.fullTitle(), state: 'passed' }); });
    runner.on('fail', (t, err) => { results.tests.push({ title: t.fullTitle(), state: 'failed', error: String((err && err.stack) || err) }); });
    runner.on('pending', (t) => { results.pending++; results.tests.push({ title: t.fullTitle(), state: 'pending' }); });
  });
}

module.exports = { run };
