/** One port-spec reader for the probe's port lists and the risky-port settings; each caller sets its limits. */
import assert from 'node:assert/strict';
import test from 'node:test';
import { parsePortSpec } from '../../../server/src/model/port-spec';
import { parsePortList } from '../../../server/src/probe/ports';
import { parseRiskSpec } from '../../../server/src/knowledge/risks';

test('ranges, both separators, protocols and the caller\'s limits', () => {
  const any = { minPort: 0, protocols: ['tcp', 'udp', 'sctp'] };
  assert.deepEqual(parsePortSpec(' 7000 : 7010/UDP ', any), { lo: 7000, hi: 7010, protocol: 'udp' });
  assert.deepEqual(parsePortSpec('0', any), { lo: 0, hi: 0, protocol: undefined });
  assert.match(parsePortSpec('0', { minPort: 1, protocols: ['tcp'] }) as string, /ports are 1-65535/);
  assert.match(parsePortSpec('80/sctp', { minPort: 1, protocols: ['tcp', 'udp'] }) as string, /unknown protocol `sctp` \(expected tcp or udp\)/);
  assert.match(parsePortSpec('65536', any) as string, /ports are 0-65535/);
  assert.match(parsePortSpec('9-8', any) as string, /reversed \(9 > 8\)/);
});

test('the probe and the settings read the same text the same way, within their own limits', () => {
  assert.deepEqual(parsePortList('1000:1002/udp'), [1000, 1001, 1002].map((port) => ({ port, protocol: 'udp' })));
  const risk = parseRiskSpec('1000:1002/udp');
  assert.ok(typeof risk !== 'string');
  assert.deepEqual([risk.ports, risk.protocols], [[1000, 1002], ['udp']]);
  // Port 0 can be matched by a firewall (a risk setting) but not probed; sctp is a firewall protocol only.
  assert.equal(typeof parseRiskSpec('0/sctp'), 'object');
  assert.throws(() => parsePortList('0'), /ports are 1-65535/);
  assert.throws(() => parsePortList('80/sctp'), /unknown protocol/);
});
