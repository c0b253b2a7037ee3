'use strict';
// Shared helpers for the end-to-end suites: bounded waits and fixture access.
const assert = require('assert');
const path = require('path');
const vscode = require('vscode');

const EXTENSION_ID = 'portcullis.portcullis';

/** Polls fn until it returns a truthy value; fails with `what` (and the last value seen) after timeoutMs. */
async function waitFor(fn, what, timeoutMs = 15000, intervalMs = 50) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > end) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

function workspaceFile(name) {
  const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  assert.ok(folder, 'the e2e workspace folder is not open (pass --workspace / a folder to the runner)');
  return vscode.Uri.file(path.join(folder.uri.fsPath, name));
}

async function open(name) {
  const doc = await vscode.workspace.openTextDocument(workspaceFile(name));
  await vscode.window.showTextDocument(doc, { preview: false });
  return doc;
}

function codeOf(d) {
  return typeof d.code === 'object' && d.code ? String(d.code.value) : String(d.code);
}

function portcullisDiagnostics(uri) {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'portcullis');
}

/** Waits until the file has a diagnostic with `code` (optionally matching pred) and returns it. */
function waitForDiagnostic(uri, code, pred = () => true, timeoutMs) {
  return waitFor(() => portcullisDiagnostics(uri).find((d) => codeOf(d) === code && pred(d)), `${code} on ${path.basename(uri.fsPath)}`, timeoutMs);
}

/** Position of the first occurrence of `text` in the document (optionally starting at `from`). */
function positionOf(doc, text, offset = 0) {
  const i = doc.getText().indexOf(text);
  assert.ok(i >= 0, `"${text}" not in ${doc.uri.fsPath}`);
  return doc.positionAt(i + offset);
}

module.exports = { EXTENSION_ID, waitFor, workspaceFile, open, codeOf, portcullisDiagnostics, waitForDiagnostic, positionOf };
