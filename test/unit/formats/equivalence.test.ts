/** One policy in four formats gives one exposure; nftables translations agree with their iptables originals. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
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
  const table = (ce: ChainExposure) =>
    ports.flatMap((p) => (['tcp', 'udp'] as const).map((proto) => `${proto}/${p}: ${sourcesFor(ce, proto, p).describe()}`));
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
  for (const f of fs
    .readdirSync(nft)
    .filter((x) => x.endsWith('.nft'))
    .sort()) {
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

const SERVICE_EQ = path.join(FIXTURES, 'service-equivalence');

interface JsonEntry {
  protocol: string;
  ports: number[][];
  sources: string[];
  interface?: string;
  destinations?: string[];
  rules: { line: number }[];
  approximate: boolean;
}

test('RDP open to the world as iptables, compose, a Kubernetes LoadBalancer and a hostPort: same code, message shape and exposure JSON', () => {
  const files = ['rules.v4', 'compose.yaml', 'service.yaml', 'hostport.yaml'].map((f) => path.join(SERVICE_EQ, f));
  const cli = path.join(FIXTURES, '../../dist/cli.js');
  const out = execFileSync(process.execPath, [cli, 'exposure', '--format', 'json', ...files], { encoding: 'utf8' });
  const parsed = JSON.parse(out) as {
    files: { path: string; chains: { table: string; chain: string; family: string; entries: JsonEntry[] }[] }[];
  };
  // Per file: the IPv4 entries (the iptables file is IPv4 only), without the line numbers, which differ by file.
  const v4 = parsed.files.map((f) =>
    f.chains.filter((c) => c.family === 'ipv4').flatMap((c) => c.entries.map(({ rules, ...e }) => ({ ...e, rules: rules.length }))),
  );
  assert.deepEqual(v4[0], [{ protocol: 'tcp', ports: [[3389, 3389]], sources: ['0.0.0.0/0'], rules: 1, approximate: false }]);
  for (const [i, e] of v4.entries()) assert.deepEqual(e, v4[0], path.basename(files[i]));
  // table = the file's kind, chain = the resource's name.
  assert.deepEqual(
    parsed.files.map((f) => f.chains.filter((c) => c.family === 'ipv4').map((c) => `${c.table}/${c.chain}`)),
    [['filter/INPUT', 'filter/FORWARD'], ['compose/rdp'], ['Service/rdp'], ['Pod/rdp']],
  );
  const shapes = files.map((f) => {
    const id = f.endsWith('rules.v4') ? 'iptables' : f.endsWith('compose.yaml') ? 'compose' : 'kubernetes';
    const fa = analyseText(fs.readFileSync(f, 'utf8'), formatById(id)!, f, resolveSettings({}));
    const pc101 = fa.findings.filter((x) => x.code === 'PC101');
    assert.equal(pc101.length, 1, `${path.basename(f)}: ${fa.findings.map((x) => x.code)}`);
    assert.equal(fa.lines[pc101[0].range.start.line].slice(pc101[0].range.start.character, pc101[0].range.end.character), '3389');
    assert.equal(pc101[0].severity, 'error');
    return pc101[0].message.replace(/any IPv4 or IPv6 address/, 'any IPv4 address').replace(/ through [^.]+\./, ' through <resource>.');
  });
  for (const s of shapes) assert.equal(s, shapes[0]);
  assert.match(shapes[0], /^RDP \(Windows Remote Desktop\), TCP 3389, is reachable from any IPv4 address through <resource>\. /);
});
