/** SARIF 2.1.0 output for `portcullis check --format sarif` (GitHub code scanning and other CI viewers). */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CODES, docUrl } from '../model/codes';
import type { Finding, Severity } from '../model/finding';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };

export function toSarif(files: { path: string; findings: Finding[] }[], version: string, baseDir: string): unknown {
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'portcullis',
            version,
            informationUri: 'https://github.com/portcullis-dev/portcullis',
            rules: Object.entries(CODES).map(([id, c]) => ({ id, name: c.title.replace(/[^A-Za-z0-9]+/g, ''), shortDescription: { text: c.title }, helpUri: docUrl(id), defaultConfiguration: { level: LEVEL[c.severity] } })),
          },
        },
        originalUriBaseIds: { SRCROOT: { uri: pathToFileURL(baseDir + path.sep).href } },
        columnKind: 'utf16CodeUnits',
        results: files.flatMap((f) =>
          f.findings.map((x) => ({
            ruleId: x.code,
            level: LEVEL[x.severity],
            message: { text: x.message },
            locations: [{ physicalLocation: { artifactLocation: { uri: path.relative(baseDir, path.resolve(f.path)).split(path.sep).join('/'), uriBaseId: 'SRCROOT' }, region: { startLine: x.range.start.line + 1, startColumn: x.range.start.character + 1, endLine: x.range.end.line + 1, endColumn: x.range.end.character + 1 } } }],
          })),
        ),
      },
    ],
  };
}
