/**
 * The layering of docs/architecture.md, held against the imports: text → model → analysis → features, formats
 * speaking only model, analysis never reading a format, the client holding no logic another editor would need.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'node:test';
import { FORMATS } from '../../../server/src/formats/registry';
import { REPO } from '../../support/corpus';

const SRC = path.join(REPO, 'server/src');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Repository-relative targets of a file's relative imports (`import … from './x'`, `export … from`, `require('./x')`). */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:\bfrom\s+|\brequire\(\s*|\bimport\(\s*)'(\.[^']*)'/g)].map((m) => m[1]);
  return specs.map((s) =>
    path
      .relative(REPO, path.resolve(path.dirname(file), s))
      .split(path.sep)
      .join('/'),
  );
}

/** The layer of a repository path: the directory under server/src, or `top` for the wiring files beside them. */
function layer(p: string): string {
  const m = /^server\/src\/(?:([^/]+)\/)?/.exec(p);
  if (!m) return p.split('/')[0];
  return m[1] ?? 'top';
}

/** Which layers each layer may import (its own is always allowed). */
const ALLOWED: Record<string, string[]> = {
  model: [],
  io: [],
  knowledge: ['model'],
  formats: ['model', 'io'],
  analysis: ['model', 'knowledge'],
  probe: ['model'],
  features: ['model', 'knowledge', 'analysis', 'probe', 'formats', 'top'],
  scheduling: ['model', 'knowledge', 'analysis', 'formats', 'features', 'io', 'top'],
  cli: ['model', 'knowledge', 'analysis', 'probe', 'formats', 'features', 'io', 'top', 'workspace'],
  // Files of one host combined (PC301) and the workspace view's folder walk: above single-file analysis.
  workspace: ['model', 'knowledge', 'analysis', 'formats', 'features', 'io', 'top'],
  top: ['model', 'knowledge', 'analysis', 'probe', 'formats', 'features', 'io', 'cli', 'scheduling', 'workspace', 'schemas', 'package.json'],
};

/** Outside formats/, only the Format interface and the registry may be named, never a format's internals. */
const FORMAT_SURFACE = /^server\/src\/formats\/(format|registry)$/;

const FORMAT_IDS = new Set(FORMATS.map((f) => f.id));

/** The rules a file breaks by importing `to` (repository-relative paths without extension). */
function violations(from: string, to: string): string[] {
  const out: string[] = [];
  const own = layer(from);
  const target = layer(to);
  if (!(own in ALLOWED)) return [`${from}: layer \`${own}\` is not described; add it to docs/architecture.md and this test`];
  if (target !== own && !ALLOWED[own].includes(target)) out.push(`${from} (${own}) imports ${to} (${target})`);
  if (target === 'formats' && own !== 'formats' && !FORMAT_SURFACE.test(to)) out.push(`${from} reaches into a format: ${to}`);
  // Inside formats/, a format's directory uses only its own files and shared ones (formats/*.ts, and directories
  // such as formats/cloud/ that are no format), never another format's.
  const fmt = /^server\/src\/formats\/([^/]+)\//.exec(from)?.[1];
  const other = /^server\/src\/formats\/([^/]+)\//.exec(to)?.[1];
  if (fmt && other && fmt !== other && FORMAT_IDS.has(other)) out.push(`${from} imports another format's internals: ${to}`);
  return out;
}

test('every import stays within the layers docs/architecture.md allows', () => {
  const files = sources(SRC);
  assert.ok(files.length > 50, `${files.length} source files`);
  const found = files.flatMap((file) =>
    importsOf(file).flatMap((to) => violations(path.relative(REPO, file).split(path.sep).join('/'), to)),
  );
  assert.deepEqual(found, []);
});

test('the checker catches each kind of violation (it can fail)', () => {
  assert.equal(violations('server/src/model/ports.ts', 'server/src/analysis/exposure').length, 1);
  assert.equal(violations('server/src/analysis/index.ts', 'server/src/formats/tokenize').length, 2);
  assert.equal(violations('server/src/features/hover.ts', 'server/src/formats/iptables/options').length, 1);
  assert.equal(violations('server/src/formats/pf/parse.ts', 'server/src/formats/nftables/lexer').length, 1);
  assert.equal(violations('server/src/formats/pf/parse.ts', 'server/src/knowledge/registry').length, 1);
  assert.equal(violations('server/src/formats/pf/parse.ts', 'server/src/features/hover').length, 1);
  assert.deepEqual(violations('server/src/formats/pf/parse.ts', 'server/src/formats/tokenize'), []);
  assert.deepEqual(violations('server/src/analysis/risky-ports.ts', 'server/src/knowledge/risks'), []);
});

test("the VS Code client uses only the server's features (rendering) and the content sniff, never analysis or parsers", () => {
  const found: string[] = [];
  for (const file of sources(path.join(REPO, 'client/src'))) {
    for (const to of importsOf(file)) {
      // node-flags: how the server process is started (the bin and the client pass the same flags).
      if (to.startsWith('server/') && !to.startsWith('server/src/features/') && to !== 'server/src/formats/sniff' && to !== 'server/src/node-flags.json')
        found.push(`${path.relative(REPO, file)} imports ${to}`);
    }
  }
  assert.deepEqual(found, []);
});
