import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'node:test';
import { acceptedMaps, analyseExposure, sourcesFor, type ChainExposure } from '../../../server/src/analysis/exposure';
import { formatById } from '../../../server/src/formats/registry';
import { parseIptables } from '../../../server/src/formats/iptables/parse';
import { portOfService } from '../../../server/src/knowledge/registry';
import { filterTable } from '../../support/analyse';

const ctx = { resolveService: (n: string) => portOfService(n) };
function input(text: string): ChainExposure {
  return analyseExposure(parseIptables(text, ctx)).chains.find((c) => c.chain.name === 'INPUT')!;
}
const reach = (ce: ChainExposure, port: number, proto: 'tcp' | 'udp' = 'tcp', iface = '') => sourcesFor(ce, proto, port, iface);

test('first match wins; the default policy decides the rest', () => {
  const ce = input(
    filterTable([
      '-A INPUT -s 10.0.0.0/8 -p tcp --dport 22 -j ACCEPT',
      '-A INPUT -p tcp --dport 22 -j DROP',
      '-A INPUT -p tcp --dport 80 -j ACCEPT',
    ]),
  );
  assert.deepEqual(reach(ce, 22).toCidrs(), ['10.0.0.0/8']);
  assert.ok(reach(ce, 80).isAnyV4());
  assert.ok(reach(ce, 443).isEmpty());
  const open = input(filterTable(['-A INPUT -p tcp --dport 22 -j DROP'], 'ACCEPT'));
  assert.ok(reach(open, 22).isEmpty());
  assert.ok(reach(open, 3389).isAnyV4());
  assert.ok(reach(open, 53, 'udp').isAnyV4());
});

test('ESTABLISHED/RELATED rules expose nothing; NEW does', () => {
  const ce = input(
    filterTable([
      '-A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT',
      '-A INPUT -p tcp --dport 25 -m conntrack --ctstate NEW -j ACCEPT',
    ]),
  );
  assert.ok(reach(ce, 22).isEmpty());
  assert.ok(reach(ce, 25).isAnyV4());
});

test('jumps, RETURN and gotos follow the kernel semantics', () => {
  const ce = input(
    filterTable([
      ':ssh - [0:0]',
      ':web - [0:0]',
      ':deep - [0:0]',
      '-A INPUT -p tcp --dport 22 -j ssh',
      '-A INPUT -p tcp --dport 22 -s 192.168.0.0/16 -j ACCEPT',
      '-A INPUT -p tcp -g web',
      '-A INPUT -p tcp --dport 8080 -j ACCEPT',
      '-A ssh -s 203.0.113.0/24 -j ACCEPT',
      '-A ssh -j RETURN',
      '-A ssh -j ACCEPT',
      '-A web -p tcp --dport 80 -j ACCEPT',
      '-A web -j deep',
      '-A deep -p tcp --dport 8443 -j ACCEPT',
    ]),
  );
  assert.deepEqual(reach(ce, 22).toCidrs(), ['192.168.0.0/16', '203.0.113.0/24']);
  assert.ok(reach(ce, 80).isAnyV4());
  assert.ok(reach(ce, 8443).isAnyV4());
  // The goto never comes back, so the later 8080 rule is unreachable for TCP.
  assert.ok(reach(ce, 8080).isEmpty());
});

test('interfaces are classes; loopback means local sources', () => {
  const ce = input(
    filterTable([
      '-A INPUT -i lo -j ACCEPT',
      '-A INPUT -i eth1 -p tcp --dport 3306 -j ACCEPT',
      '-A INPUT ! -i eth0 -p tcp --dport 5432 -j ACCEPT',
    ]),
  );
  assert.deepEqual(reach(ce, 3306, 'tcp', 'lo').toCidrs(), ['127.0.0.0/8']);
  assert.ok(reach(ce, 3306, 'tcp', 'eth1').isAnyV4());
  assert.ok(reach(ce, 3306).isEmpty());
  assert.ok(reach(ce, 5432, 'tcp', 'eth1').isAnyV4());
  assert.ok(reach(ce, 5432, 'tcp', 'eth0').isEmpty());
  assert.ok(reach(ce, 5432).isAnyV4(), 'an unnamed interface is not eth0');
});

test('matches the model cannot decide over-approximate and say so', () => {
  const ce = input(
    filterTable([
      '-A INPUT -p tcp --dport 22 -m recent --update --hitcount 4 --name ssh -j DROP',
      '-A INPUT -p tcp --dport 22 -m limit --limit 3/min -j ACCEPT',
    ]),
  );
  const g = ce.grants.find((x) => x.ports.has(22))!;
  assert.ok(reach(ce, 22).isAnyV4());
  assert.equal(g.approximate, true);
  assert.match(g.reasons.join(' '), /--limit 3\/min/);
});

test('negated sources, protocols and ports', () => {
  const ce = input(filterTable(['-A INPUT ! -s 10.0.0.0/8 -j DROP', '-A INPUT ! -p udp -j ACCEPT']));
  assert.deepEqual(reach(ce, 9999).toCidrs(), ['10.0.0.0/8']);
  assert.ok(reach(ce, 53, 'udp').isEmpty());
  const ports = input(filterTable(['-A INPUT -p tcp ! --dport 22 -j ACCEPT']));
  assert.ok(reach(ports, 22).isEmpty() && reach(ports, 23).isAnyV4());
});

test('a reversed port range matches nothing', () => {
  const ce = input(filterTable(['-A INPUT -p udp --dport 60000:29 -j ACCEPT']));
  assert.ok(reach(ce, 60000, 'udp').isEmpty() && reach(ce, 29, 'udp').isEmpty());
});

test('ufw user chains are analysed as attached to INPUT', () => {
  const rs = parseIptables(
    ['*filter', ':ufw-user-input - [0:0]', '-A ufw-user-input -p tcp --dport 22 -j ACCEPT', 'COMMIT'].join('\n'),
    ctx,
  );
  const ce = analyseExposure(rs).chains.find((c) => c.chain.name === 'ufw-user-input')!;
  assert.ok(reach(ce, 22).isAnyV4());
  assert.ok(reach(ce, 23).isEmpty(), 'what ufw-user-input does not accept falls back to ufw, not to ACCEPT');
});

test('listener-only resource chains: the shortcut walk gives what the general path walk gives (corpus compose and Kubernetes files)', (t) => {
  const corpus = path.resolve(__dirname, '../../../../../shared/corpus');
  if (!fs.existsSync(corpus)) return t.skip(`corpus not found at ${corpus}`);
  let compared = 0;
  for (const dir of ['docker-compose', 'kubernetes']) {
    for (const f of fs.readdirSync(path.join(corpus, dir)).filter((x) => /\.ya?ml$/.test(x))) {
      const p = path.join(corpus, dir, f);
      const text = fs.readFileSync(p, 'utf8');
      const rs = formatById(dir === 'kubernetes' ? 'kubernetes' : 'compose')!.parse(text, { path: p, resolveService: () => undefined });
      const fast = analyseExposure(rs);
      const slow = analyseExposure(rs, undefined, { noShortcut: true });
      assert.equal(fast.chains.length, slow.chains.length, f);
      fast.chains.forEach((ce, i) => {
        const a = acceptedMaps(ce);
        const b = acceptedMaps(slow.chains[i]);
        assert.equal(ce.chain, slow.chains[i].chain);
        assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort(), `${f} ${ce.chain.name}`);
        for (const [k, m] of a) assert.ok(m.equals(b.get(k)!), `${f} ${ce.chain.name} ${k}`);
        const approx = (g: { approximate: boolean; rule?: { id: number } }) => `${g.rule?.id}:${g.approximate}`;
        assert.deepEqual(
          [...new Set(ce.grants.map(approx))].sort(),
          [...new Set(slow.chains[i].grants.map(approx))].sort(),
          `${f} ${ce.chain.name}`,
        );
      });
      assert.deepEqual([...fast.reached].sort(), [...slow.reached].sort(), f);
      compared++;
    }
  }
  t.diagnostic(`${compared} files compared`);
  assert.ok(compared > 90);
});
