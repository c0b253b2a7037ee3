// Set representation and parser figures on the largest corpus ruleset (tum-net, 4,973 rules): iptables parse, nftables
// parse of its translation, the risky-ports check, and parse + full analysis for both. Each figure is the median CPU
// time of several runs after warm-up, in a fresh process per round. With `--against DIR` (a checkout whose out/ holds
// an older build, e.g. a `git worktree` of main after `npx tsc -p .`) the two builds alternate, A/B/A/B, in the same run.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CORPUS = path.resolve(REPO, '../shared/corpus');
const IPT = path.join(CORPUS, 'iptables/tum-net-2015-09-03.rules');
const NFT = path.join(CORPUS, 'nftables-translated/tum-net-2015-09-03.nft');
const FIGURES = ['iptables parse', 'nftables parse', 'riskyPorts (iptables)', 'parse + analysis (iptables)', 'parse + analysis (nftables)'];

// Child mode: measure one build (its out/ directory) and print the figures as JSON.
if (process.argv[2] === '--one') {
  const out = process.argv[3];
  const load = (p) => require(path.join(out, 'server/src', p));
  const { parseIptables } = load('formats/iptables/parse.js');
  const { parseNftables } = load('formats/nftables/parse.js');
  const { analyseText } = load('pipeline.js');
  const { analyseExposure } = load('analysis/exposure.js');
  const { riskyPorts } = load('analysis/risky-ports.js');
  const { iptablesFormat } = load('formats/iptables/index.js');
  const { nftablesFormat } = load('formats/nftables/index.js');
  const { resolveSettings } = load('analysis/settings.js');
  const ipt = fs.readFileSync(IPT, 'utf8');
  const nft = fs.readFileSync(NFT, 'utf8');
  const ctx = { resolveService: () => undefined };
  const settings = resolveSettings({});
  const cpu = (f, runs) => {
    for (let k = 0; k < 3; k++) f();
    const ms = [];
    for (let k = 0; k < runs; k++) {
      const t = process.cpuUsage();
      f();
      const d = process.cpuUsage(t);
      ms.push((d.user + d.system) / 1000);
    }
    return ms.sort((a, b) => a - b)[runs >> 1];
  };
  const rs = parseIptables(ipt, ctx);
  const exposure = analyseExposure(rs);
  console.log(
    JSON.stringify([
      cpu(() => parseIptables(ipt, ctx), 15),
      cpu(() => parseNftables(nft, ctx), 15),
      cpu(() => riskyPorts({ ruleset: rs, exposure, settings }), 15),
      cpu(() => analyseText(ipt, iptablesFormat, IPT, settings), 7),
      cpu(() => analyseText(nft, nftablesFormat, NFT, settings), 7),
    ]),
  );
  process.exit(0);
}

if (!fs.existsSync(IPT) || !fs.existsSync(NFT)) {
  console.log(`sets bench: ${IPT} or ${NFT} not found (../shared/corpus absent): skipped`);
  process.exit(0);
}
if (!fs.existsSync(path.join(REPO, 'out/server/src/pipeline.js'))) execFileSync('npx', ['tsc', '-p', REPO], { stdio: 'inherit' });
const at = process.argv.indexOf('--against');
const against = at > 0 ? path.resolve(process.argv[at + 1], 'out') : undefined;
const builds = [['this build', path.join(REPO, 'out')], ...(against ? [['baseline', against]] : [])];
const rounds = against ? 5 : 3;
const one = (out) =>
  JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--one', out], { encoding: 'utf8', maxBuffer: 1 << 20 }));
const results = new Map(builds.map(([name]) => [name, []]));
for (let r = 0; r < rounds; r++) for (const [name, out] of builds) results.get(name).push(one(out));
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const how = `median of ${rounds} rounds${against ? ' alternating with the baseline' : ''}`;
console.log(`sets bench — tum-net (4,973 rules), CPU ms, ${how}; load ${os.loadavg()[0].toFixed(1)}`);
FIGURES.forEach((name, k) => {
  const mine = median(results.get('this build').map((r) => r[k]));
  const base = against ? median(results.get('baseline').map((r) => r[k])) : undefined;
  const cmp = base === undefined ? '' : `baseline ${base.toFixed(1).padStart(7)} ms   ratio ${(mine / base).toFixed(2)}`;
  console.log(`${name.padEnd(32)} ${mine.toFixed(1).padStart(7)} ms   ${cmp}`);
});
