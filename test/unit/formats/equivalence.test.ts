/** One policy in four formats gives one exposure; nftables translations agree with their iptables originals. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'node:test';
import { acceptedMaps, analyseExposure, sourcesFor, type ChainExposure } from '../../../server/src/analysis/exposure';
import { resolveSettings } from '../../../server/src/analysis/settings';
import { formatById } from '../../../server/src/formats/registry';
import { parseIptables } from '../../../server/src/formats/iptables/parse';
import { parseNftables } from '../../../server/src/formats/nftables/parse';
import { analyseText } from '../../../server/src/pipeline';
import { CORPUS, FIXTURES, NFT_REJECTS, ctx } from './helpers';

const EQ = path.join(FIXTURES, 'equivalence');
const FILES: [string, string][] = [
  ['iptables', 'policy.rules'],
  ['nftables', 'policy.nft'],
  ['pf', 'pf.conf'],
  ['firewalld', 'firewalld/zones/policy.xml'],
];

function inputV4(id: string, file: string): { ce: ChainExposure; codes: string[] } {
  const p = path.join(EQ, file);
  const fa = analyseText(fs.readFileSync(p, 'utf8'), formatById(id)!, p, resolveSettings({}));
  const ce = fa.exposure.chains.find((c) => c.family === 'ipv4' && c.chain.hook === 'input')!;
  return { ce, codes: [...new Set(fa.findings.map((f) => f.code))].sort() };
}

test('the same policy in iptables, nftables, pf and firewalld: same exposure and same finding codes', () => {
  const results = FILES.map(([id, f]) => ({ id, ...inputV4(id, f) }));
  const ports = [22, 23, 53, 80, 443, 445, 3389, 8080];
  const table = (ce: ChainExposure) => ports.flatMap((p) => (['tcp', 'udp'] as const).map((proto) => `${proto}/${p}: ${sourcesFor(ce, proto, p).describe()}`));
  const ref = table(results[0].ce);
  assert.equal(ref[0], 'tcp/22: 192.0.2.0/24');
  for (const r of results) assert.deepEqual(table(r.ce), ref, r.id);
  for (const r of results) assert.deepEqual(r.codes, results[0].codes, `${r.id} finding codes`);
  // The whole accepted map (every port), not only the sampled ports.
  const maps = results.map((r) => acceptedMaps(r.ce).get('tcp\u0000'));
  for (const m of maps.slice(1)) assert.ok(m && maps[0] && m.equals(maps[0]));
});

test('nftables translations agree with their iptables originals (INPUT and FORWARD exposure)', (t) => {
  const ipt = path.join(CORPUS, 'iptables');
  const nft = path.join(CORPUS, 'nftables-translated');
  if (!fs.existsSync(nft)) return t.skip(`corpus not found at ${CORPUS}`);
  let agree = 0;
  let compared = 0;
  const differ: string[] = [];
  for (const f of fs.readdirSync(nft).filter((x) => x.endsWith('.nft')).sort()) {
    if (NFT_REJECTS[f]) continue;
    const orig = path.join(ipt, f.replace(/\.nft$/, '.rules'));
    if (!fs.existsSync(orig)) continue;
    const a = analyseExposure(parseIptables(fs.readFileSync(orig, 'utf8'), { ...ctx, path: orig }));
    const b = analyseExposure(parseNftables(fs.readFileSync(path.join(nft, f), 'utf8'), { ...ctx, path: f }));
    let same = true;
    for (const name of ['INPUT', 'FORWARD']) {
      const ca = a.chains.find((c) => c.chain.table === 'filter' && c.chain.name === name);
      const cb = b.chains.find((c) => /filter$/.test(c.chain.table) && c.chain.name === name);
      if (!ca && !cb) continue;
      if (!ca || !cb) {
        same = false;
        continue;
      }
      for (const proto of ['tcp', 'udp']) {
        const ma = acceptedMaps(ca).get(`${proto}\u0000`);
        const mb = acceptedMaps(cb).get(`${proto}\u0000`);
        if (!ma !== !mb || (ma && mb && !ma.equals(mb))) same = false;
      }
    }
    compared++;
    if (same) agree++;
    else differ.push(f);
  }
  t.diagnostic(`translated vs iptables exposure: ${agree}/${compared} agree${differ.length ? `; differ: ${differ.join(', ')}` : ''}`);
  assert.ok(compared >= 28, `${compared} compared`);
  assert.ok(agree / compared >= 0.8, `only ${agree}/${compared} agree: ${differ.join(', ')}`);
});
