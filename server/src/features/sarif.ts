/** SARIF 2.1.0 output for `portcullis check --format sarif` (GitHub code scanning and other CI viewers). */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CODES, docUrl } from '../model/codes';
import type { Finding, Severity } from '../model/finding';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };

/** A rule's name as SARIF viewers show it: the code's title in PascalCase ("Syntax error" → "SyntaxError"). */
export function ruleName(title: string): string {
  return title
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
}

export function sarifResult(file: string, x: Finding, baseDir: string): unknown {
  const uri = path.relative(baseDir, path.resolve(file)).split(path.sep).join('/');
  const { start, end } = x.range;
  const region = { startLine: start.line + 1, startColumn: start.character + 1, endLine: end.line + 1, endColumn: end.character + 1 };
  return {
    ruleId: x.code,
    level: LEVEL[x.severity],
    message: { text: x.message },
    locations: [{ physicalLocation: { artifactLocation: { uri, uriBaseId: 'SRCROOT' }, region } }],
  };
}

/**
 * The log around its results, so a caller can stream results in between: `head` ends inside the results
 * array and `tail` closes it. Files that could not be read become tool notifications (known only at the end,
 * hence after the results), and the run is then marked unsuccessful.
 */
export function sarifFrame(
  version: string,
  baseDir: string,
): { head: string; tail(failures: { path: string; message: string }[]): string } {
  const split = (failures: { path: string; message: string }[]): [string, string] => {
    const text = JSON.stringify(sarifLog(version, baseDir, failures), null, 2);
    const at = text.indexOf('"results": []') + '"results": ['.length;
    return [text.slice(0, at), text.slice(at)];
  };
  return { head: split([])[0], tail: (failures) => split(failures)[1] };
}

function sarifLog(version: string, baseDir: string, failures: { path: string; message: string }[]): unknown {
  const rules = Object.entries(CODES).map(([id, c]) => ({
    id,
    name: ruleName(c.title),
    shortDescription: { text: c.title },
    helpUri: docUrl(id),
    defaultConfiguration: { level: LEVEL[c.severity] },
  }));
  const notifications = failures.map((f) => ({ level: 'error', message: { text: `${f.path}: ${f.message}` } }));
  const run = {
    tool: { driver: { name: 'portcullis', version, informationUri: 'https://github.com/portcullis-dev/portcullis', rules } },
    originalUriBaseIds: { SRCROOT: { uri: pathToFileURL(baseDir + path.sep).href } },
    columnKind: 'utf16CodeUnits',
    results: [],
    invocations: [{ executionSuccessful: failures.length === 0, toolExecutionNotifications: notifications }],
  };
  return { $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs: [run] };
}
