/** One settings schema: the file VS Code validates `.portcullis.json` with is the one the CLI and server use. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'node:test';
import { parseConfig } from '../../../server/src/config-file';
import { DEFAULT_SETTINGS } from '../../../server/src/analysis/settings';
import { REPO } from '../../support/corpus';

const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
const schema = JSON.parse(fs.readFileSync(path.join(REPO, 'schemas/portcullis.schema.json'), 'utf8'));

/** The schema's settings as dotted keys (`inlayHints.enabled`), each with its description. */
function leaves(props: Record<string, Record<string, unknown>>, prefix = ''): [string, unknown][] {
  return Object.entries(props).flatMap(([k, v]) =>
    v.type === 'object' && v.properties
      ? leaves(v.properties as Record<string, Record<string, unknown>>, `${prefix}${k}.`)
      : [[`${prefix}${k}`, v]],
  );
}

test('the schema and the VS Code settings describe the same keys identically', () => {
  const settings = pkg.contributes.configuration.properties as Record<string, unknown>;
  // `hosts` groups files into hosts for workspace findings: a property of the folder layout, not an editor setting.
  const schemaLeaves = leaves(schema.properties).filter(([k]) => k !== '$schema' && k !== 'hosts');
  // Every editor setting is in the file's schema, except the probe's: a workspace file must not choose what
  // the editor probes (portcullis.probe.defaultTarget is a restricted setting in untrusted workspaces).
  const editorKeys = Object.keys(settings)
    .map((k) => k.replace(/^portcullis\./, ''))
    .filter((k) => !k.startsWith('probe.'));
  assert.deepEqual(schemaLeaves.map(([k]) => k).sort(), editorKeys.sort());
  for (const [k, v] of schemaLeaves) assert.deepEqual(v, settings[`portcullis.${k}`], k);
  const top = Object.keys(schema.properties).filter((k) => k !== '$schema' && k !== 'hosts');
  assert.deepEqual(top.sort(), [...Object.keys(DEFAULT_SETTINGS), 'inlayHints'].sort(), 'the schema covers the analysis settings');
  assert.equal(schema.additionalProperties, false);
});

test('VS Code validates .portcullis.json with the schema, and the packaged extension ships it', () => {
  assert.deepEqual(pkg.contributes.jsonValidation, [{ fileMatch: '.portcullis.json', url: './schemas/portcullis.schema.json' }]);
  assert.match(fs.readFileSync(path.join(REPO, '.vscodeignore'), 'utf8'), /^!schemas\/\*\*$/m);
});

test('config problems name the key and point at it', () => {
  const at = (text: string) =>
    parseConfig('/x/.portcullis.json', text).problems.map((p) => `${p.line}:${p.character} ${p.key} | ${p.message}`);
  assert.deepEqual(at('{"riskyPorts": [22, "8443/tcp"]}'), ['0:16 riskyPorts[0] | riskyPorts[0] must be a string']);
  assert.deepEqual(at('{"severity": {"PC1O1": "off"}}'), [
    '0:14 severity.PC1O1 | `PC1O1` is not a diagnostic code (PC followed by three digits)',
  ]);
  assert.deepEqual(at('{"portcullis.severity": {}}'), [
    '0:1 portcullis.severity | unknown key `portcullis.severity` (write `severity`, without the prefix); known keys: trustedSources, riskyPorts, severity, maxFileSize, inlayHints, hosts',
  ]);
  assert.deepEqual(at('[]'), ['0:0  | the file must be an object']);
  assert.deepEqual(at(''), ['0:0  | empty file: expected a JSON object']);
  assert.deepEqual(at('{"trustedSources": ["10.0.0.0/8", "vpn"]}'), [
    '0:19 trustedSources | trustedSources: `vpn` is not an address or CIDR network',
  ]);
  // A valid file has no problems and its settings are kept.
  const ok = parseConfig(
    '/x/.portcullis.json',
    JSON.stringify({ $schema: './s.json', trustedSources: ['10.8.0.0/16'], severity: { pc010: 'off' } }),
  );
  assert.deepEqual(ok.problems, []);
  assert.deepEqual(ok.settings.trustedSources, ['10.8.0.0/16']);
});

test('the compiled validator is generated from the current schema (run `node esbuild.mjs` after editing it)', async () => {
  // A unit test compiled to CommonJS reaches the ESM generator through a dynamic import that tsc keeps as one.
  const load = new Function('u', 'return import(u)') as (u: string) => Promise<{ configValidatorSource(f: string): string }>;
  const gen = await load(require('node:url').pathToFileURL(path.join(REPO, 'scripts/gen-config-validator.mjs')).href);
  const committed = fs.readFileSync(path.join(REPO, 'server/src/config-validator.generated.ts'), 'utf8');
  assert.equal(committed, gen.configValidatorSource(path.join(REPO, 'schemas/portcullis.schema.json')));
});
