/**
 * Oracle 2: the kernel. Each ruleset is loaded into a network namespace; a peer namespace opens TCP
 * connections and UDP exchanges from several source addresses to several ports, and what got through is
 * compared with Portcullis's exposure of the INPUT chain for the interface class of the test veth.
 * Method and figures: docs/kernel-differential.md. Needs root, ip and iptables-restore; skips otherwise.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { CORPUS, HAVE_CORPUS, NO_CORPUS } from '../../support/corpus';
import { Lab, PEER_ADDR, PEER_ADDR6, kernelUnavailable, type Probe } from '../../support/kernel';
import {
  classOf,
  toIpv6Ruleset,
  v6Of,
  dropFailingLine,
  inputExposure,
  predict,
  prepareCorpus,
  probePorts,
  probeSources,
  randomRuleset,
} from './kernel-rules';

const unavailable = kernelUnavailable();
const OUTSIDE = '10.250.0.9';
const RANDOM_COUNT = 20;
const RANDOM_SEED = 20240611;

export const CORPUS_RULESETS = [
  'synology-2015-cleanup',
  'ufw-server2',
  'random-server',
  'sargon',
  'gopherproxy',
  'rlworkman',
  'synology-legacy-iface',
  'medium-sized-company',
];

interface Tally {
  rulesets: number;
  probes: number;
  agree: number;
  /** Kernel blocked, we predicted accept only through approximate grants: expected (upper closure). */
  approximate: number;
  /** Probes the kernel let through: a run where this is 0 or every probe would prove little. */
  accepted: number;
  disagreements: string[];
  dropped: string[];
}

const tally = (): Tally => ({ rulesets: 0, probes: 0, agree: 0, approximate: 0, accepted: 0, disagreements: [], dropped: [] });
const results = { corpus: tally(), random: tally(), nft: tally(), v6: tally() };

let lab: Lab | undefined;

before(() => {
  if (unavailable) return;
  lab = new Lab(String(process.pid));
  lab.setup();
  lab.addSources([OUTSIDE]);
});

after(() => {
  lab?.close();
  if (!unavailable) {
    const fmt = (n: string, t: Tally) =>
      `${n}: ${t.rulesets} rulesets, ${t.probes} probes (${t.accepted} let through), ${t.agree} agree, ${t.approximate} approximate (kernel blocked, we said maybe), ${t.disagreements.length} disagreements`;
    console.log(
      `kernel differential — ${fmt('corpus', results.corpus)}; ${fmt('random', results.random)}; ${fmt('nftables', results.nft)}; ${fmt('ip6tables', results.v6)}`,
    );
  }
});

/**
 * Loads (dropping rules the kernel cannot load), probes, compares. In nft mode the loadable iptables text is
 * translated by netfilter's own iptables-restore-translate, loaded with `nft -f`, and Portcullis predicts from
 * the kernel's `nft list ruleset` of it: the nftables parser is checked against the kernel, not against us.
 */
async function run(
  name: string,
  text0: string,
  t: Tally,
  exclusive = false,
  mode: 'iptables' | 'nft' | 'ip6tables' = 'iptables',
): Promise<void> {
  const l = lab!;
  const v6 = mode === 'ip6tables';
  let text = v6 ? toIpv6Ruleset(text0) : text0;
  l.reset();
  for (let tries = 0; ; tries++) {
    const err = l.load(text, v6);
    if (!err) break;
    const d = tries < 40 ? dropFailingLine(text, err) : undefined;
    if (!d) throw new Error(`${name}: iptables-restore failed: ${err}`);
    t.dropped.push(`${name}: ${d.line}`);
    text = d.text;
  }
  let ce = inputExposure(text, 'iptables', v6 ? 'ipv6' : 'ipv4');
  if (mode === 'nft') {
    const file = path.join(os.tmpdir(), `pc-kernel-${process.pid}.rules`);
    fs.writeFileSync(file, text);
    const tr = spawnSync('iptables-restore-translate', ['-f', file], { encoding: 'utf8' });
    fs.rmSync(file, { force: true });
    if (tr.status !== 0) throw new Error(`${name}: iptables-restore-translate failed: ${tr.stderr}`);
    ce = inputExposure(l.loadNft(tr.stdout), 'nft');
  }
  // The class our veth falls in, as Portcullis sees the (loaded) text: its own name, a wildcard, or other.
  const ifaceClass = classOf(l.fwIf, ce.ifaceClasses);
  // Sources are chosen on the IPv4 text; the IPv6 run uses the same ones carried over by v6Of.
  const v4Sources = probeSources(v6 ? text0 : text, [PEER_ADDR, OUTSIDE]);
  const sources = v6 ? v4Sources.map((a) => (a === PEER_ADDR ? PEER_ADDR6 : v6Of(a).split('/')[0])) : v4Sources;
  l.addSources(sources);
  const ports = probePorts(text);
  await l.listen(ports);
  const probes: Probe[] = [];
  for (const src of sources) for (const port of ports) for (const proto of ['tcp', 'udp'] as const) probes.push({ src, proto, port });
  // With a rate limit in play, order matters to the kernel: probe one at a time so "first packet" is defined.
  const got = await l.probe(probes, 300, exclusive ? 1 : 48);
  t.rulesets++;
  probes.forEach((p, i) => {
    t.probes++;
    if (got[i]) t.accepted++;
    const pred = predict(ce, text, p.proto, p.port, p.src, ifaceClass);
    if (pred.accept === got[i]) t.agree++;
    else if (pred.accept && !got[i] && pred.approximate) t.approximate++;
    else
      t.disagreements.push(
        `${name}: ${p.proto}/${p.port} from ${p.src} via ${ifaceClass || '(unnamed iface)'}: kernel ${got[i] ? 'ACCEPTED' : 'blocked'}, Portcullis ${pred.accept ? 'accept' : 'deny'}${pred.rules.length ? ` (${pred.rules.join(' | ')})` : ''}`,
      );
  });
}

test(
  'kernel agrees with the exposure of corpus INPUT chains (rewritten into the lab)',
  { skip: unavailable ?? (!HAVE_CORPUS && NO_CORPUS), timeout: 240_000 },
  async () => {
    const t = results.corpus;
    for (const name of CORPUS_RULESETS) {
      const file = path.join(CORPUS, 'iptables', `${name}.rules`);
      const prep = prepareCorpus(fs.readFileSync(file, 'utf8'), lab!.fwIf);
      await run(name, prep.text, t);
    }
    if (t.disagreements.length)
      console.log(`${t.disagreements.length} disagreements, first 30:\n${t.disagreements.slice(0, 30).join('\n')}`);
    if (t.dropped.length) console.log(`rules the kernel would not load (left out on both sides):\n${t.dropped.join('\n')}`);
    assert.equal(t.rulesets, CORPUS_RULESETS.length);
    assert.ok(t.probes > 1000, `${t.probes} probes`);
    assert.deepEqual(t.disagreements, []);
    assert.ok(
      t.accepted > t.probes / 10 && t.accepted < t.probes * 0.9,
      `the kernel let ${t.accepted} of ${t.probes} probes through: the rulesets should decide both ways`,
    );
  },
);

test(`kernel agrees with the exposure of ${RANDOM_COUNT} seeded random rulesets`, { skip: unavailable, timeout: 240_000 }, async () => {
  const t = results.random;
  for (let k = 0; k < RANDOM_COUNT; k++) {
    const text = randomRuleset(RANDOM_SEED + k, lab!.fwIf);
    await run(`random#${k} (seed ${RANDOM_SEED + k})`, text, t, text.includes('-m limit'));
  }
  if (t.disagreements.length) console.log(`${t.disagreements.length} disagreements, first 30:\n${t.disagreements.slice(0, 30).join('\n')}`);
  assert.deepEqual(t.dropped, [], 'every generated rule loads');
  assert.equal(t.rulesets, RANDOM_COUNT);
  assert.deepEqual(t.disagreements, []);
  assert.ok(
    t.accepted > t.probes / 10 && t.accepted < t.probes * 0.9,
    `the kernel let ${t.accepted} of ${t.probes} probes through: the rulesets should decide both ways`,
  );
});

test(
  'kernel agrees with the exposure of nftables rulesets (corpus and random, translated by iptables-restore-translate, loaded with nft -f)',
  { skip: unavailable ?? (!HAVE_CORPUS && NO_CORPUS), timeout: 240_000 },
  async () => {
    const t = results.nft;
    for (const name of CORPUS_RULESETS)
      await run(
        `nft ${name}`,
        prepareCorpus(fs.readFileSync(path.join(CORPUS, 'iptables', `${name}.rules`), 'utf8'), lab!.fwIf).text,
        t,
        false,
        'nft',
      );
    for (let k = 0; k < RANDOM_COUNT; k++) {
      const text = randomRuleset(RANDOM_SEED + k, lab!.fwIf);
      await run(`nft random#${k}`, text, t, text.includes('-m limit'), 'nft');
    }
    if (t.disagreements.length)
      console.log(`${t.disagreements.length} disagreements, first 30:\n${t.disagreements.slice(0, 30).join('\n')}`);
    assert.equal(t.rulesets, CORPUS_RULESETS.length + RANDOM_COUNT);
    assert.deepEqual(t.disagreements, []);
    assert.ok(
      t.accepted > t.probes / 10 && t.accepted < t.probes * 0.9,
      `the kernel let ${t.accepted} of ${t.probes} probes through: the rulesets should decide both ways`,
    );
  },
);

test(
  `kernel agrees with the exposure of ${RANDOM_COUNT} seeded random rulesets over IPv6 (ip6tables-restore)`,
  { skip: unavailable, timeout: 240_000 },
  async () => {
    const t = results.v6;
    for (let k = 0; k < RANDOM_COUNT; k++) {
      const text = randomRuleset(RANDOM_SEED + k, lab!.fwIf);
      await run(`ip6 random#${k} (seed ${RANDOM_SEED + k})`, text, t, text.includes('-m limit'), 'ip6tables');
    }
    if (t.disagreements.length)
      console.log(`${t.disagreements.length} disagreements, first 30:\n${t.disagreements.slice(0, 30).join('\n')}`);
    assert.deepEqual(t.dropped, [], 'every generated rule loads');
    assert.equal(t.rulesets, RANDOM_COUNT);
    assert.deepEqual(t.disagreements, []);
    assert.ok(
      t.accepted > t.probes / 10 && t.accepted < t.probes * 0.9,
      `the kernel let ${t.accepted} of ${t.probes} probes through: the rulesets should decide both ways`,
    );
  },
);
