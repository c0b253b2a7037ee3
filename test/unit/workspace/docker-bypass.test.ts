/**
 * PC301 against the kernel: a ufw host that denies 5432 runs a compose service publishing "5432:5432". The lab
 * (test/support/docker-lab.ts) loads ufw's rules and Docker's own chains into a network namespace, serves
 * 5432 both on the host and in a container namespace, and connects from a peer namespace. The workspace
 * analysis of the same files (test/fixtures/docker-bypass/) must say the same: reachable although ufw denies
 * it, and narrowed by a DOCKER-USER chain in after.rules. Needs root, ip and iptables; skips otherwise.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { publishedReach, isPublisher } from '../../../server/src/analysis/docker-bypass';
import { resolveSettings } from '../../../server/src/analysis/settings';
import { analyseTree } from '../../../server/src/workspace/load';
import type { Workspace } from '../../../server/src/workspace';
import { NO_COMPOSE } from '../../support/formats';
import { REPO } from '../../support/corpus';
import { DockerLab } from '../../support/docker-lab';
import { PEER_ADDR, kernelUnavailable } from '../../support/kernel';

const FIXTURES = path.join(REPO, 'test/fixtures/docker-bypass');
const unavailable = kernelUnavailable();
/** A source outside 10.0.0.0/8, which the DOCKER-USER fixture lets through. */
const OUTSIDE = '192.0.2.7';
const SOURCES = [PEER_ADDR, OUTSIDE];
const defaults = resolveSettings({});

function workspace(variant: 'open' | 'docker-user'): Workspace {
  return analyseTree(path.join(FIXTURES, variant), {
    read: (p) => fs.readFileSync(p, 'utf8'),
    settingsFor: () => defaults,
    layout: {},
    defaults,
  });
}

const read = (...p: string[]) => fs.readFileSync(path.join(FIXTURES, ...p), 'utf8');

/** The analysis' verdict per source for TCP 5432: through Docker when it runs, else through INPUT. */
function predicted(ws: Workspace, docker: boolean): boolean[] {
  const files = ws.files.filter((f) => f.analysis);
  const pub = files.find((f) => isPublisher(f.analysis!.ruleset))!;
  assert.ok(pub, 'the compose file is recognised as published by Docker');
  const hosts = files.filter((f) => f !== pub).map((f) => ({ path: f.path, ruleset: f.analysis!.ruleset, exposure: f.analysis!.exposure }));
  const reach = publishedReach(hosts, { path: pub.path, ruleset: pub.analysis!.ruleset, exposure: pub.analysis!.exposure }).find(
    (r) => r.family === 'ipv4' && r.port === 5432,
  )!;
  assert.ok(reach, 'TCP 5432 is published');
  return SOURCES.map((s) => reach.input.has(s) || (docker && reach.sources.has(s)));
}

let lab: DockerLab | undefined;

before(async () => {
  if (unavailable) return;
  lab = new DockerLab(`d${process.pid}`);
  lab.setup();
  lab.addSources([OUTSIDE]);
  await lab.serve('host', 5432);
  await lab.serve('container', 5432);
});

after(() => lab?.close());

test('the workspace reports PC301 on the published port, pointing at the ufw rule it bypasses', { skip: NO_COMPOSE }, () => {
  const ws = workspace('open');
  const compose = path.join(FIXTURES, 'open', 'compose.yaml');
  const f = ws.findings.get(compose)?.find((x) => x.code === 'PC301');
  assert.ok(f, `PC301 on compose.yaml: ${JSON.stringify([...ws.findings])}`);
  assert.equal(f.severity, 'warning');
  assert.match(
    f.message,
    /TCP 5432 \(postgresql\), published by db, is reachable from any IPv4 address although the host firewall blocks it \(user\.rules\)/,
  );
  assert.equal(f.range.start.line, 4);
  assert.deepEqual(
    f.related?.map((r) => [path.basename(r.path!), r.range.start.line]),
    [['user.rules', 8]],
  );
  assert.deepEqual(
    ws.hosts.map((h) => h.paths.map((p) => path.relative(FIXTURES, p)).sort()),
    [['open/compose.yaml', 'open/etc/ufw/user.rules']],
  );
});

test('a DOCKER-USER chain that narrows the port to chosen networks answers the finding', { skip: NO_COMPOSE }, () => {
  const ws = workspace('docker-user');
  assert.deepEqual(ws.findings.get(path.join(FIXTURES, 'docker-user', 'compose.yaml')) ?? [], []);
});

const SCENARIOS = [
  {
    name: 'ufw only',
    layers: ['ufw-base.txt', 'open/etc/ufw/user.rules'],
    docker: false,
    variant: 'open' as const,
    kernel: [false, false],
  },
  {
    name: 'ufw + Docker',
    layers: ['ufw-base.txt', 'open/etc/ufw/user.rules', 'docker-iptables-save.txt'],
    docker: true,
    variant: 'open' as const,
    kernel: [true, true],
  },
  {
    name: 'ufw + Docker + DOCKER-USER',
    layers: ['ufw-base.txt', 'open/etc/ufw/user.rules', 'docker-iptables-save.txt', 'docker-user/etc/ufw/after.rules'],
    docker: true,
    variant: 'docker-user' as const,
    kernel: [true, false],
  },
];
/** What the kernel let through per scenario, from the first lab test, for the analysis to be held against. */
const observed = new Map<string, boolean[]>();

test(
  "kernel lab: ufw alone blocks 5432; with Docker's chains it reaches the container; DOCKER-USER narrows it",
  { skip: unavailable, timeout: 60_000 },
  async () => {
    const l = lab!;
    const probes = SOURCES.map((src) => ({ src, proto: 'tcp' as const, port: 5432 }));
    for (const s of SCENARIOS) {
      l.loadLayers(s.layers.map((f) => read(f)));
      const got = await l.probe(probes, 400, 1);
      observed.set(s.name, got);
      assert.deepEqual(got, s.kernel, `${s.name}: the kernel let through ${JSON.stringify(got)} from ${SOURCES.join(', ')}`);
      // The connections that got through went to the container: Docker's own ACCEPT counted them.
      if (s.docker)
        assert.equal(
          l.packets('DOCKER', '--dport 5432 -j ACCEPT'),
          got.filter(Boolean).length,
          `${s.name}: Docker's DOCKER chain accepted them`,
        );
    }
    console.log(
      `docker bypass lab: ${SCENARIOS.map((s) => `${s.name}: ${s.kernel.map((k, i) => `${SOURCES[i]} ${k ? 'connects' : 'blocked'}`).join(', ')}`).join('; ')}`,
    );
  },
);

test(
  'kernel lab: the workspace analysis of the same files agrees with the kernel, source by source',
  { skip: NO_COMPOSE ?? unavailable },
  () => {
    assert.equal(observed.size, SCENARIOS.length, 'the kernel scenarios ran');
    for (const s of SCENARIOS)
      assert.deepEqual(predicted(workspace(s.variant), s.docker), observed.get(s.name), `${s.name}: the analysis agrees with the kernel`);
  },
);
