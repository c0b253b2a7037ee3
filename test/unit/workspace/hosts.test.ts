/** Which files describe one host, and which files a folder walk reads. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { findFiles } from '../../../server/src/workspace/files';
import { defaultHostRoot, groupHosts } from '../../../server/src/workspace/hosts';

test('a host firewall anchors its host above conventional configuration folders', () => {
  assert.equal(defaultHostRoot('/srv/web1/etc/ufw/user.rules'), '/srv/web1');
  assert.equal(defaultHostRoot('/srv/web1/iptables/rules.v4'), '/srv/web1');
  assert.equal(defaultHostRoot('/srv/web1/rules.v4'), '/srv/web1');
});

test('files join the deepest host whose tree holds them; files outside every host stay alone', () => {
  const groups = groupHosts(
    ['/r/etc/ufw/user.rules', '/r/compose.yaml', '/r/web2/rules.v4', '/r/web2/app/compose.yaml', '/elsewhere/compose.yaml'],
    ['/r/etc/ufw/user.rules', '/r/web2/rules.v4'],
  );
  assert.deepEqual(
    groups.map((g) => [g.name, g.paths.sort()]),
    [
      ['/r', ['/r/compose.yaml', '/r/etc/ufw/user.rules']],
      ['/r/web2', ['/r/web2/app/compose.yaml', '/r/web2/rules.v4']],
    ],
  );
});

test('named hosts replace the default grouping and may name single files', () => {
  const groups = groupHosts(['/r/fw/rules.v4', '/r/apps/a/compose.yaml', '/r/apps/b/compose.yaml'], ['/r/fw/rules.v4'], {
    hosts: { db: ['/r/fw', '/r/apps/a/compose.yaml'] },
  });
  assert.deepEqual(
    groups.map((g) => [g.name, g.paths]),
    [['db', ['/r/fw/rules.v4', '/r/apps/a/compose.yaml']]],
  );
});

test('the folder walk: recognised regular files only, no symbolic links followed, size and count bounded', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-walk-'));
  try {
    fs.mkdirSync(path.join(dir, 'a', 'node_modules'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'a', 'rules.v4'), '*filter\nCOMMIT\n');
    fs.writeFileSync(path.join(dir, 'a', 'node_modules', 'rules.v4'), '');
    fs.writeFileSync(path.join(dir, 'notes.txt'), '');
    fs.symlinkSync(dir, path.join(dir, 'a', 'loop'));
    fs.symlinkSync(path.join(dir, 'a', 'rules.v4'), path.join(dir, 'link.rules'));
    const recognised = (p: string) => /rules/.test(p);
    const found = findFiles(dir, recognised);
    assert.deepEqual(
      found.paths.map((p) => path.relative(dir, p)),
      ['a/rules.v4'],
    );
    assert.equal(found.truncated, false);
    fs.writeFileSync(path.join(dir, 'b.rules'), '');
    const limited = findFiles(dir, recognised, 1);
    assert.equal(limited.paths.length, 1);
    assert.equal(limited.truncated, true);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
