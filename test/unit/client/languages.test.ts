/** The client serves exactly the languages package.json contributes, and the server has a format for each. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'node:test';
import { contributedLanguages } from '../../../client/src/languages';
import { FORMATS } from '../../../server/src/formats/registry';
import { REPO } from '../../support/corpus';

test('the language list comes from contributes.languages', () => {
  const packageJSON = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
  const ids = contributedLanguages({ packageJSON });
  assert.deepEqual(ids, packageJSON.contributes.languages.map((l: { id: string }) => l.id));
  // Each contributed language has a format in the server (formats recognised by content need no language).
  assert.ok(ids.length >= 4 && ids.every((id) => FORMATS.some((f) => f.id === id || f.languageIds?.includes(id))), ids.join(', '));
  assert.deepEqual(contributedLanguages({ packageJSON: { contributes: { languages: [{ id: 'x' }, { aliases: [] }] } } }), ['x']);
  assert.deepEqual(contributedLanguages({ packageJSON: {} }), []);
});

test('the client source holds no language list of its own', () => {
  for (const f of fs.readdirSync(path.join(REPO, 'client/src'))) {
    const text = fs.readFileSync(path.join(REPO, 'client/src', f), 'utf8');
    assert.doesNotMatch(text, /\[\s*'iptables',\s*'nftables'/, f);
  }
});
