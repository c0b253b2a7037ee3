/** A probe that runs out of descriptors says so (exit 2) instead of reporting the ports as filtered (127.0.0.1 only). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import test from 'node:test';
import { REPO } from '../../support/corpus';

const CLI = path.join(REPO, 'dist/cli.js');
// The open-file limit is lowered for the CLI process only, so its sockets hit EMFILE.
const limited = (limit: number, args: string) =>
  spawnSync('bash', ['-c', `ulimit -n ${limit} && exec "${process.execPath}" "${CLI}" ${args}`], { encoding: 'utf8', timeout: 60_000 });

for (const udp of [false, true]) {
  test(`EMFILE during a ${udp ? 'UDP' : 'TCP'} probe is an error of the run, not ${udp ? 'open|filtered' : 'filtered'} ports`, () => {
    const r = limited(40, `probe 127.0.0.1 --ports 1-1500 --concurrency 200 --timeout 200 --format json ${udp ? '--udp' : ''}`);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.equal(r.stdout, '', 'no report of port states');
    assert.match(r.stderr, /^portcullis: probing stopped after \d+ of \d+ ports: EMFILE \(too many open files in this process\) on this machine; lower the concurrency \(now 200\)/);
  });
}

test('the same limit with low concurrency probes normally', () => {
  const r = limited(40, 'probe 127.0.0.1 --ports 1-100 --concurrency 4 --timeout 200 --format json');
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout) as { results: { state: string; reason: string }[] };
  assert.equal(json.results.length, 100);
  assert.ok(json.results.every((x) => x.reason !== 'EMFILE'));
});
