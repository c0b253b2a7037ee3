/** PC012 flags the quick fix's placeholder network on accepting rules only: a bogon list dropping TEST-NET is deliberate. */
import assert from 'node:assert/strict';
import test from 'node:test';
import { resolveSettings } from '../../../server/src/analysis/settings';
import { iptablesFormat } from '../../../server/src/formats/iptables';
import { analyseText } from '../../../server/src/pipeline';

test('PC012: placeholder source on an ACCEPT rule is flagged, the same network in a DROP rule is not', () => {
  const text = [
    '*filter',
    ':INPUT DROP [0:0]',
    '-A INPUT -s 192.0.2.0/24 -j DROP',
    '-A INPUT -s 192.0.2.0/24 -p tcp --dport 22 -j ACCEPT',
    'COMMIT',
    '',
  ].join('\n');
  const pc012 = analyseText(text, iptablesFormat, 'rules.v4', resolveSettings({})).findings.filter((f) => f.code === 'PC012');
  assert.deepEqual(
    pc012.map((f) => f.range.start.line),
    [3],
  );
});
