/**
 * The Kubernetes manifest cache: a folder's manifests are parsed once per text, not once per manifest that reads
 * the folder; a file changed on disk or in an editor buffer is parsed again; memory stays within its bound.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import test from 'node:test';
import { resolveSettings } from '../../../server/src/analysis/settings';
import { manifestCacheStats } from '../../../server/src/formats/kubernetes/manifest-cache';
import { formatById } from '../../../server/src/formats/registry';
import { allRules } from '../../../server/src/model/ruleset';
import { analyseText } from '../../../server/src/pipeline';

const deployment = (port: number, name = 'web') => [
  'apiVersion: apps/v1',
  'kind: Deployment',
  `metadata: {name: ${name}}`,
  'spec:',
  '  template:',
  `    metadata: {labels: {app: ${name}}}`,
  '    spec:',
  `      containers: [{name: c, image: x, ports: [{name: http, containerPort: ${port}}]}]`,
  '',
].join('\n');
const service = (name = 'web') =>
  [
    'apiVersion: v1',
    'kind: Service',
    `metadata: {name: ${name}}`,
    'spec:',
    '  type: NodePort',
    `  selector: {app: ${name}}`,
    '  ports: [{port: 80, targetPort: http, nodePort: 30080}]',
    '',
  ].join('\n');

function targets(file: string, read: (p: string) => string | undefined): string[] {
  const fa = analyseText(read(file)!, formatById('kubernetes')!, file, resolveSettings({}), read);
  return allRules(fa.ruleset).flatMap((r) => (r.listener?.target ? [r.listener.target] : []));
}

test('folder manifests are parsed once per text; a change on disk or in an editor buffer is read anew', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-k8s-cache-'));
  try {
    for (let i = 0; i < 5; i++) fs.writeFileSync(path.join(dir, `other-${i}.yaml`), deployment(7000 + i, `other${i}`));
    fs.writeFileSync(path.join(dir, 'app.yaml'), deployment(8080));
    fs.writeFileSync(path.join(dir, 'svc.yaml'), service());
    const disk = (p: string) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined);
    const svc = path.join(dir, 'svc.yaml');
    assert.deepEqual(targets(svc, disk), ['http (8080/tcp)']);
    // Every file of the folder analysed in turn (as `check` does): each is parsed once more at most (as itself).
    const before = manifestCacheStats().parses;
    for (const f of fs.readdirSync(dir)) targets(path.join(dir, f), disk);
    assert.equal(manifestCacheStats().parses - before, 0, 'all seven files were cached by the first analysis');
    // Changed on disk: parsed again, and the Service sees the new port.
    fs.writeFileSync(path.join(dir, 'app.yaml'), deployment(9000));
    assert.deepEqual(targets(svc, disk), ['http (9000/tcp)']);
    assert.equal(manifestCacheStats().parses - before, 1);
    // An unsaved editor buffer (what the server's reader returns for an open document) wins over the disk.
    const app = path.join(dir, 'app.yaml');
    const edited = (p: string) => (p === app ? deployment(9443) : disk(p));
    assert.deepEqual(targets(svc, edited), ['http (9443/tcp)']);
    assert.deepEqual(targets(svc, disk), ['http (9000/tcp)']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the cache keeps at most its bound of characters, dropping the least recently used', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-k8s-cache-'));
  try {
    const { maxChars } = manifestCacheStats();
    // Large manifests (a long comment) in many folders: together several times the bound.
    const pad = `# ${'x'.repeat(1000)}\n`.repeat(Math.ceil(maxChars / 4 / 1002));
    const none = () => undefined;
    for (let i = 0; i < 12; i++) {
      const file = path.join(dir, `f${i}`, 'app.yaml');
      analyseText(pad + deployment(8000 + i), formatById('kubernetes')!, file, resolveSettings({}), none);
      const s = manifestCacheStats();
      assert.ok(s.chars <= maxChars, `${s.chars} > ${maxChars}`);
    }
    assert.ok(manifestCacheStats().entries >= 3);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
