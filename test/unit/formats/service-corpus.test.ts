/**
 * ../shared/corpus service-port files: every file reads with no syntax finding, the manifest's exposure facts
 * hold, and the Checkov/KICS fixtures are compared with those tools' expectations (agreements asserted,
 * disagreements printed with the reason; docs of the table in the closing report).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import test from 'node:test';
import { matrixJson, serviceMatrix } from '../../../server/src/analysis/matrix';
import { resolveSettings } from '../../../server/src/analysis/settings';
import { analyseText, resolveFormat, type FileAnalysis } from '../../../server/src/pipeline';
import { CORPUS, HAVE_CORPUS, NO_CORPUS, corpusFiles } from '../../support/corpus';

const SYNTAX = /^PC0\d\d$/;
const skip = !HAVE_CORPUS && NO_CORPUS;

function analyse(file: string): FileAnalysis {
  const text = fs.readFileSync(file, 'utf8');
  const format = resolveFormat(file, undefined, () => text) ?? resolveFormat(file, /Dockerfile$/.test(file) ? 'dockerfile' : undefined);
  assert.ok(format, `no format recognises ${path.relative(CORPUS, file)}`);
  const read = (p: string) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined);
  return analyseText(text, format, file, resolveSettings({}), read);
}

test('every compose, Kubernetes, Dockerfile and services corpus file is recognised and reads with no syntax finding', { skip }, (t) => {
  const counts: Record<string, number> = {};
  for (const dir of ['docker-compose', 'kubernetes', 'dockerfile', 'services']) {
    for (const f of corpusFiles(dir)) {
      const fa = analyse(f);
      counts[fa.format.id] = (counts[fa.format.id] ?? 0) + 1;
      const syntax = fa.findings.filter((x) => SYNTAX.test(x.code));
      assert.deepEqual(
        syntax.map((x) => `${x.range.start.line + 1}: ${x.code} ${x.message}`),
        [],
        path.relative(CORPUS, f),
      );
    }
  }
  t.diagnostic(`files by format: ${JSON.stringify(counts)}`);
  assert.ok(counts.compose >= 59 && counts.kubernetes >= 50 && counts.dockerfile === 3 && counts.services === 1, JSON.stringify(counts));
});

/** Published TCP/UDP ports of a file on every address, from the exposure JSON (what `portcullis exposure` prints). */
function openToAll(fa: FileAnalysis): Set<string> {
  const out = new Set<string>();
  for (const c of matrixJson(serviceMatrix(fa.exposure)) as {
    chain: string;
    family: string;
    entries: { protocol: string; ports: number[][]; sources: string[]; destinations?: string[]; approximate: boolean }[];
  }[]) {
    for (const e of c.entries) {
      if (e.destinations || !(e.sources.includes('0.0.0.0/0') || e.sources.includes('::/0'))) continue;
      for (const [a, b] of e.ports) out.add(`${c.chain} ${e.protocol}/${a === b ? a : `${a}-${b}`}`);
    }
  }
  return out;
}

test('manifest exposure facts: published, loopback-bound, expose-only, host network, variables', { skip }, () => {
  const fa = (f: string) => analyse(path.join(CORPUS, f));
  assert.deepEqual(
    [...openToAll(fa('docker-compose/awesome-pihole-cloudflared-DoH.yaml'))].sort(),
    [
      'cloudflared tcp/5054',
      'cloudflared udp/5054',
      'pihole tcp/53',
      'pihole tcp/8080',
      'pihole tcp/8443',
      'pihole udp/53',
      'pihole udp/67',
    ].sort(),
  );
  // Loopback bindings and expose: not open to all.
  const ps = openToAll(fa('docker-compose/docker-compose-e2e-ps-test.yaml'));
  assert.equal(ps.size, 0, [...ps].join());
  const full = openToAll(fa('docker-compose/docker-cli-full-example.yml'));
  // 49100:22 lies inside the ephemeral range that the random host ports of `3000` and `3001-3005` cover.
  for (const p of ['foo tcp/8000', 'foo tcp/9090-9091', 'foo tcp/32768-60999']) assert.ok(full.has(p), `${p} in ${[...full].join(', ')}`);
  assert.ok(![...full].some((p) => /tcp\/(8001|5000-5010)$/.test(p)), 'loopback-bound ports are not open to all');
  // Kong: host IP from ${VAR:-0.0.0.0}: IPv4 only; admin API on every address.
  const kong = fa('docker-compose/kong-docker-compose.yml');
  const j = matrixJson(serviceMatrix(kong.exposure)) as { chain: string; family: string; entries: { ports: number[][] }[] }[];
  const v6 = j.find((c) => c.chain === 'kong' && c.family === 'ipv6')!;
  assert.deepEqual(
    v6.entries.flatMap((e) => e.ports),
    [
      [8001, 8002],
      [8444, 8444],
    ],
  );
  // Jigasi's variable UDP range resolves from its defaults.
  assert.ok(openToAll(fa('docker-compose/jitsi-jigasi.yml')).has('jigasi udp/20000-20050'));
  // Jitsi: HTTP_PORT has no default and no .env: unknown port, approximate, never a syntax error.
  const jitsi = fa('docker-compose/jitsi-docker-compose.yml');
  assert.ok(
    [...jitsi.exposure.byRule.values()]
      .flat()
      .some((g) => g.approximate && g.reasons.some((r) => r.includes('${HTTP_PORT} has no value here'))),
  );
  assert.ok(fa('docker-compose/awesome-plex.yaml').findings.some((f) => f.code === 'PC121'));
  // Kubernetes: flow-style LB, NodePort, ClusterIP not exposed.
  assert.ok(openToAll(fa('kubernetes/k8s-website-dual-stack-prefer-ipv6-lb-svc.yaml')).has('my-service tcp/80'));
  assert.equal(openToAll(fa('kubernetes/k8s-examples-databases-cassandra-cassandra-service.yaml')).size, 0);
  assert.ok(
    [...openToAll(fa('kubernetes/ingress-nginx-baremetal-deploy.yaml'))].some((p) =>
      p.startsWith('ingress-nginx-controller tcp/30000-32767'),
    ),
  );
  assert.ok(fa('kubernetes/kube-prometheus-nodeExporter-daemonset.yaml').findings.some((f) => f.code === 'PC121'));
});

interface Case {
  file: string;
  tool: string;
  positive: boolean;
  /** What counts as Portcullis flagging the same thing. */
  flagged: (fa: FileAnalysis) => boolean;
  /** Known disagreement and why; the test asserts the disagreement so a change is noticed. */
  disagree?: string;
  /** Files of the tool's fixture folder read with this one (the corpus folder mixes unrelated fixtures). */
  with?: string[];
}

/**
 * A fixture analysed as the tool's test reads it: in a folder of its own (with its companions), since Kubernetes
 * manifests of one folder are read together and the corpus folder holds every tool's fixtures side by side.
 */
function analyseFixture(c: Case): FileAnalysis {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-fixture-'));
  try {
    for (const f of [c.file, ...(c.with ?? [])]) fs.copyFileSync(path.join(CORPUS, f), path.join(dir, path.basename(f)));
    return analyse(path.join(dir, path.basename(c.file)));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const atWarning = (fa: FileAnalysis) => fa.findings.some((f) => f.severity === 'error' || f.severity === 'warning');
const notBound = (fa: FileAnalysis) => openToAll(fa).size > 0 || fa.findings.some((f) => f.code === 'PC101' || f.code === 'PC120');
/** A finding on a port token below 1024 (the question KICS's privileged-ports query asks). */
const privileged = (fa: FileAnalysis) =>
  fa.findings.some((f) => Number(fa.lines[f.range.start.line]?.slice(f.range.start.character, f.range.end.character)) < 1024);
const hasCode =
  (...codes: string[]) =>
  (fa: FileAnalysis) =>
    fa.findings.some((f) => codes.includes(f.code));

const CASES: Case[] = [
  ...['1', '2', '3'].map((n) => ({
    file: `docker-compose/not-bound-positive${n}.yaml`,
    tool: 'KICS not-bound',
    positive: true,
    flagged: notBound,
  })),
  ...['1', '2', '3', '4', '5', '6'].map((n) => ({
    file: `docker-compose/not-bound-negative${n}.yaml`,
    tool: 'KICS not-bound',
    positive: false,
    flagged: notBound,
  })),
  ...['1', '2', '3'].map((n) => ({
    file: `docker-compose/privileged-ports-positive${n}.yaml`,
    tool: 'KICS privileged ports',
    positive: true,
    flagged: privileged,
    disagree:
      'Portcullis has no privileged-port check: a port below 1024 inside a container is a capability question, not a network exposure (and 67/udp, 70 and 80 are not risky when published)',
  })),
  { file: 'docker-compose/privileged-ports-negative1.yaml', tool: 'KICS privileged ports', positive: false, flagged: privileged },
  { file: 'docker-compose/privileged-ports-negative2.yaml', tool: 'KICS privileged ports', positive: false, flagged: privileged },
  { file: 'kubernetes/hostport-DS-node-exporter-FAILED.yaml', tool: 'Checkov CKV_K8S_26', positive: true, flagged: hasCode('PC125') },
  { file: 'kubernetes/hostport-nginx-app-FAILED.yaml', tool: 'Checkov CKV_K8S_26', positive: true, flagged: hasCode('PC125') },
  {
    file: 'kubernetes/hostport-nginx-app-PASSED.yaml',
    tool: 'Checkov CKV_K8S_26',
    positive: false,
    flagged: (fa) => hasCode('PC125')(fa) || atWarning(fa),
  },
  {
    file: 'kubernetes/api-server-insecure-port-FAILED.yaml',
    tool: 'Checkov CKV_K8S_88',
    positive: true,
    flagged: atWarning,
    disagree:
      'the insecure port is a kube-apiserver command-line flag (--insecure-port=80); Portcullis reads declared ports, not process arguments',
  },
  { file: 'kubernetes/api-server-insecure-port-PASSED.yaml', tool: 'Checkov CKV_K8S_88', positive: false, flagged: atWarning },
  {
    file: 'kubernetes/public-pod-failing-pod.yaml',
    tool: 'Checkov CKV2_K8S_EXAMPLE_1',
    positive: true,
    flagged: hasCode('PC122', 'PC101'),
    with: ['kubernetes/public-pod-failing-service.yaml'],
    disagree:
      'the Pod and its LoadBalancer Service are in two files of one folder; Portcullis links them (named ports, NetworkPolicies) but reports an exposure on the file that publishes it: PC122 is on the Service file',
  },
  {
    file: 'kubernetes/public-pod-failing-service.yaml',
    tool: 'Checkov CKV2_K8S_EXAMPLE_1 (Service side)',
    positive: true,
    flagged: hasCode('PC122'),
  },
  { file: 'kubernetes/public-pod-passing-pod.yaml', tool: 'Checkov CKV2_K8S_EXAMPLE_1', positive: false, flagged: atWarning },
  { file: 'kubernetes/public-pod-passing-service.yaml', tool: 'Checkov CKV2_K8S_EXAMPLE_1', positive: false, flagged: atWarning },
  {
    file: 'kubernetes/networkpolicy-pods.yaml',
    tool: 'Checkov CKV2_K8S_6 (external-proxy flagged, internal-proxy not)',
    positive: true,
    flagged: (fa) => {
      const pc123 = fa.findings.filter((f) => f.code === 'PC123').map((f) => f.message);
      return pc123.length === 1 && pc123[0].includes('external-proxy-deployment');
    },
  },
  {
    file: 'dockerfile/expose-22-failure.Dockerfile',
    tool: 'Checkov CKV_DOCKER_1',
    positive: true,
    flagged: (fa) => fa.findings.some((f) => f.code === 'PC126' && /SSH/.test(f.message)),
  },
  {
    file: 'dockerfile/expose-22-failure_tcp.Dockerfile',
    tool: 'Checkov CKV_DOCKER_1',
    positive: true,
    flagged: (fa) => fa.findings.some((f) => f.code === 'PC126' && /SSH/.test(f.message)),
  },
  {
    file: 'dockerfile/expose-22-success.Dockerfile',
    tool: 'Checkov CKV_DOCKER_1',
    positive: false,
    flagged: (fa) => atWarning(fa) || fa.findings.some((f) => /SSH/.test(f.message)),
  },
];

test("Checkov and KICS fixtures: agreement with the tools' expectations", { skip }, (t) => {
  const rows: string[] = ['| fixture | tool | expected | Portcullis | agrees |', '|---|---|---|---|---|'];
  let agree = 0;
  for (const c of CASES) {
    const fa = analyseFixture(c);
    const flagged = c.flagged(fa);
    const ok = flagged === c.positive;
    if (ok) agree++;
    // The findings' codes, and the ports the exposure shows open to any address on every host address (what KICS's
    // not-bound query asks, flagged there even where no finding calls the port risky).
    const open = [...openToAll(fa)].map((e) => e.split(' ')[1]);
    const codes = [...new Set(fa.findings.map((f) => `${f.code}/${f.severity[0]}`))].join(' ') || 'none';
    const shown = open.length ? `${codes}; open to all: ${open.slice(0, 3).join(' ')}${open.length > 3 ? ' …' : ''}` : codes;
    rows.push(`| ${c.file} | ${c.tool} | ${c.positive ? 'flagged' : 'not flagged'} | ${shown} | ${ok ? 'yes' : `no: ${c.disagree}`} |`);
    assert.equal(!ok, !!c.disagree, `${c.file}: ${ok ? 'now agrees; drop the disagreement note' : 'unexpected disagreement'} (${codes})`);
  }
  t.diagnostic(`${agree}/${CASES.length} agree\n${rows.join('\n')}`);
});
