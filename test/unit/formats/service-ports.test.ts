/** Compose, Kubernetes, Dockerfile and services files: syntax variants, the model they give, and their findings. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import test from 'node:test';
import { serviceMatrix, matrixJson } from '../../../server/src/analysis/matrix';
import { resolveSettings } from '../../../server/src/analysis/settings';
import { formatById, formatForPath } from '../../../server/src/formats/registry';
import type { Rule } from '../../../server/src/model/ruleset';
import { allRules } from '../../../server/src/model/ruleset';
import { analyseText, resolveFormat, type FileAnalysis } from '../../../server/src/pipeline';

function run(
  id: string,
  text: string,
  file = `/tmp/x/${id === 'compose' ? 'compose.yaml' : id === 'dockerfile' ? 'Dockerfile' : id === 'services' ? 'services' : 'app.yaml'}`,
  read?: (p: string) => string | undefined,
): FileAnalysis {
  return analyseText(text, formatById(id)!, file, resolveSettings({}), read);
}
const codes = (fa: FileAnalysis) => fa.findings.map((f) => f.code);
const published = (fa: FileAnalysis) => allRules(fa.ruleset).filter((r) => r.action.kind === 'accept');
const ports = (r: Rule) => r.conditions.flatMap((c) => (c.kind === 'dport' ? c.items.map((i) => [i.lo, i.hi]) : []));
const json = (fa: FileAnalysis) =>
  JSON.parse(JSON.stringify(matrixJson(serviceMatrix(fa.exposure)))) as {
    table: string;
    chain: string;
    family: string;
    entries: {
      protocol: string;
      ports: number[][];
      sources: string[];
      interface?: string;
      destinations?: string[];
      approximate: boolean;
    }[];
  }[];

test('compose short syntax: host/container ports, ranges, udp, host IPs, random host ports', () => {
  const fa = run(
    'compose',
    [
      'services:',
      '  web:',
      '    image: nginx',
      '    ports:',
      '      - "8080:80"',
      '      - "127.0.0.1:5432:5432"',
      '      - "[::1]:6000:6000"',
      '      - "5000-5010:5000-5010"',
      '      - "53:53/udp"',
      '      - "3000"',
      '      - 9090:9090',
      '      - "0.0.0.0:3389:3389"',
    ].join('\n'),
  );
  assert.deepEqual(fa.ruleset.problems, []);
  const rules = published(fa);
  assert.deepEqual(rules.map(ports), [
    [[8080, 8080]],
    [[5432, 5432]],
    [[6000, 6000]],
    [[5000, 5010]],
    [[53, 53]],
    [[32768, 60999]],
    [[9090, 9090]],
    [[3389, 3389]],
  ]);
  assert.equal(
    rules[4].conditions.find((c) => c.kind === 'protocol')?.kind === 'protocol' &&
      (rules[4].conditions[0] as { protocols: string[] }).protocols[0],
    'udp',
  );
  // The host port token is what the finding and hover point at.
  const item = rules[0].conditions.find((c) => c.kind === 'dport')!;
  assert.equal(
    item.kind === 'dport' &&
      fa.lines[item.items[0].range.start.line].slice(item.items[0].range.start.character, item.items[0].range.end.character),
    '8080',
  );
  const j = json(fa);
  const v4 = j.find((c) => c.chain === 'web' && c.family === 'ipv4')!;
  const v6 = j.find((c) => c.chain === 'web' && c.family === 'ipv6')!;
  // Loopback bindings read like `-i lo`: local sources, interface lo, the bound address as destination.
  assert.deepEqual(
    v4.entries.find((e) => e.interface === 'lo'),
    {
      protocol: 'tcp',
      ports: [[5432, 5432]],
      sources: ['127.0.0.0/8'],
      interface: 'lo',
      destinations: ['127.0.0.1/32'],
      rules: [{ line: 5 }],
      approximate: false,
    },
  );
  assert.deepEqual(
    v6.entries.find((e) => e.interface === 'lo'),
    {
      protocol: 'tcp',
      ports: [[6000, 6000]],
      sources: ['::1/128'],
      interface: 'lo',
      destinations: ['::1/128'],
      rules: [{ line: 6 }],
      approximate: false,
    },
  );
  // No host address: every IPv4 and IPv6 address; 0.0.0.0: IPv4 only.
  assert.ok(v6.entries.some((e) => e.ports.some(([a]) => a === 8080) && e.sources[0] === '::/0'));
  assert.ok(!v6.entries.some((e) => e.ports.some(([a, b]) => a <= 3389 && b >= 3389)));
  assert.ok(v4.entries.some((e) => e.ports.some(([a, b]) => a <= 3389 && b >= 3389)));
  const rdp = fa.findings.find((f) => f.code === 'PC101' && /RDP/.test(f.message))!;
  assert.match(rdp.message, /^RDP \(Windows Remote Desktop\), TCP 3389, is reachable from any IPv4 address through compose service web\./);
  // The loopback-bound PostgreSQL and the [::1] X11 port are not reported.
  assert.ok(
    !fa.findings.some((f) => f.code === 'PC120' || /PostgreSQL|X11/.test(f.message)),
    JSON.stringify(fa.findings.map((f) => f.message)),
  );
});

test('compose long syntax, expose, network_mode host and the datastore finding', () => {
  const fa = run(
    'compose',
    [
      'services:',
      '  db:',
      '    image: postgres',
      '    ports:',
      '      - target: 5432',
      '        published: "5432"',
      '        protocol: tcp',
      '        mode: host',
      '      - target: 6379',
      '        host_ip: 127.0.0.1',
      '        published: 6379',
      '    expose:',
      '      - "22"',
      '  plex:',
      '    image: plex',
      '    network_mode: host',
      '    ports: ["32400:32400"]',
    ].join('\n'),
  );
  assert.deepEqual(fa.ruleset.problems, []);
  const pc120 = fa.findings.filter((f) => f.code === 'PC120');
  assert.equal(pc120.length, 1);
  assert.match(
    pc120[0].message,
    /^PostgreSQL \(5432\/tcp\) is published on every address of the host, reachable from any IPv4 or IPv6 address through compose service db/,
  );
  assert.equal(pc120[0].range.start.line, 5);
  assert.ok(!codes(fa).includes('PC101'), 'PC120 replaces PC101 for the published database');
  assert.ok(fa.findings.some((f) => f.code === 'PC126' && /SSH/.test(f.message) && f.severity === 'information'));
  const host = fa.findings.find((f) => f.code === 'PC121')!;
  assert.equal(host.range.start.line, 15);
  // Port mappings are ignored with the host network: nothing is published through them.
  assert.ok(!published(fa).some((r) => r.chain === 'plex'));
});

test('compose interpolation: defaults, .env beside the file, unresolved values are approximate, never errors', () => {
  const text = [
    'services:',
    '  app:',
    '    image: x',
    '    ports:',
    '      - "${BIND:-0.0.0.0}:${PORT:-3389}:80"',
    '      - "${DB_PORT}:5432"',
    '      - "${RANGE_LO:-20000}-${RANGE_HI:-20050}:20000-20050/udp"',
    '      - "${ADMIN}:8001"',
  ].join('\n');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-compose-'));
  fs.writeFileSync(path.join(dir, '.env'), 'DB_PORT=15432\n# comment\nPORT=3390\n');
  const read = (p: string) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined);
  const fa = run('compose', text, path.join(dir, 'compose.yaml'), read);
  assert.deepEqual(fa.ruleset.problems, []);
  const rules = published(fa);
  assert.deepEqual(rules.map(ports), [[[3390, 3390]], [[15432, 15432]], [[20000, 20050]], [[1, 65535]]]);
  // The .env value wins over the default; the token range covers the whole ${…}.
  const item = (
    rules[0].conditions.find((c) => c.kind === 'dport') as {
      items: { range: { start: { character: number }; end: { character: number } } }[];
    }
  ).items[0];
  assert.equal(fa.lines[4].slice(item.range.start.character, item.range.end.character), '${PORT:-3389}');
  const unknown = fa.exposure.byRule.get(rules[3].id)!;
  assert.ok(unknown.every((g) => g.approximate && g.reasons.some((r) => r.includes('${ADMIN} has no value here'))));
  // Without the .env file the default applies, and an unresolved host port is unknown rather than an error.
  const bare = run('compose', text);
  assert.deepEqual(published(bare).map(ports)[0], [[3389, 3389]]);
  assert.deepEqual(bare.ruleset.problems, []);
  assert.ok(bare.findings.filter((f) => f.message.includes('${ADMIN}')).every((f) => f.severity !== 'error'));
  fs.rmSync(dir, { recursive: true });
});

test('compose override files: ports appended, one mapping kept once, network_mode and !reset from the override', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-compose-override-'));
  const files: Record<string, string> = {
    'compose.yaml': [
      'services:',
      '  web:',
      '    image: nginx',
      '    ports:',
      '      - "8080:80"',
      '  db:',
      '    image: postgres:16',
      '    ports:',
      '      - "127.0.0.1:5432:5432"',
      '  cache:',
      '    image: redis',
      '    ports:',
      '      - "6379:6379"',
      '  agent:',
      '    image: agent',
      '    network_mode: host',
      '    ports:',
      '      - "9100:9100"',
      '',
    ].join('\n'),
    'compose.override.yaml': [
      'services:',
      '  web:',
      '    ports:',
      '      - "8080:80"', // the same mapping: published once, by the base file
      '      - "8443:443"',
      '  db:',
      '    ports:',
      '      - "5432:5432"', // a different key (no host IP): a second mapping, on every address
      '  cache:',
      '    ports: !reset []',
      '  agent:',
      '    network_mode: bridge',
      '',
    ].join('\n'),
  };
  for (const [n, t] of Object.entries(files)) fs.writeFileSync(path.join(dir, n), t);
  const read = (p: string) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined);
  const base = run('compose', files['compose.yaml'], path.join(dir, 'compose.yaml'), read);
  const over = run('compose', files['compose.override.yaml'], path.join(dir, 'compose.override.yaml'), read);
  // !reset is compose's own tag: no "unresolved tag" warning.
  assert.deepEqual([...base.ruleset.problems, ...over.ruleset.problems], []);
  const byChain = (fa: FileAnalysis) => published(fa).map((r) => `${r.chain} ${ports(r)[0].join('-')}`);
  // Base: the cache's 6379 is replaced by the override's !reset; the agent is bridged by the override, so 9100 is published.
  assert.deepEqual(byChain(base), ['web 8080-8080', 'db 5432-5432', 'agent 9100-9100']);
  const cache = allRules(base.ruleset).find((r) => r.chain === 'cache')!;
  assert.match(cache.listener!.via, /compose\.override\.yaml replaces this service's ports \(!reset\)/);
  assert.ok(!codes(base).includes('PC121'), 'network_mode: host is overridden');
  // Override: 8080:80 is the base's mapping again (kept once), 8443 and the all-address 5432 are new.
  assert.deepEqual(byChain(over), ['web 8443-8443', 'db 5432-5432']);
  const again = allRules(over.ruleset).find((r) => r.chain === 'web' && ports(r)[0][0] === 8080)!;
  assert.match(again.listener!.via, /also published by compose\.yaml/);
  // The database published on all addresses is reported on the override file, the file that publishes it.
  const pc120 = over.findings.find((f) => f.code === 'PC120')!;
  assert.equal(pc120.range.start.line, 7);
  assert.ok(!base.findings.some((f) => f.code === 'PC120'));
  // Without the override the base file stands alone: 6379 is published and the agent is on the host network.
  const alone = run('compose', files['compose.yaml'], path.join(dir, 'compose.yaml'), (p) => (p.endsWith('override.yaml') ? undefined : read(p)));
  assert.deepEqual(byChain(alone), ['web 8080-8080', 'db 5432-5432', 'cache 6379-6379']);
  assert.ok(codes(alone).includes('PC121'));
  // A network_mode: host set in the override switches the base's mappings off.
  fs.writeFileSync(path.join(dir, 'compose.override.yaml'), 'services:\n  web:\n    network_mode: host\n');
  const hosted = run('compose', files['compose.yaml'], path.join(dir, 'compose.yaml'), read);
  const web = allRules(hosted.ruleset).find((r) => r.chain === 'web')!;
  assert.equal(web.action.kind, 'none');
  assert.match(web.listener!.via, /network_mode: host \(set in compose\.override\.yaml\)/);
  // Other names in the folder are not merged (a compose.prod.yaml is used only with -f).
  const prod = run('compose', files['compose.override.yaml'], path.join(dir, 'compose.prod.yaml'), read);
  assert.deepEqual(byChain(prod), ['web 8080-8080', 'web 8443-8443', 'db 5432-5432']);
  fs.rmSync(dir, { recursive: true });
});

test('compose syntax errors point at the entry; KICS-style published addresses are read', () => {
  const fa = run(
    'compose',
    [
      'services:',
      '  a:',
      '    image: x',
      '    ports:',
      '      - "80:http"',
      '      - "70000:80"',
      '      - "9000-8000:80"',
      '      - "1.2.3:80:80"',
      '      - target: 80',
      '        published: 127.0.0.1:8080',
      '      - published: 80',
    ].join('\n'),
  );
  assert.deepEqual(
    fa.ruleset.problems.map((p) => [p.code, p.range.start.line]),
    [
      ['PC001', 4],
      ['PC002', 5],
      ['PC003', 6],
      ['PC001', 7],
      ['PC001', 10],
    ],
  );
  const lo = published(fa).find((r) => r.listener?.bound);
  assert.equal(lo?.listener?.bound?.toCidrs().join(), '127.0.0.1/32');
});

test('content sniffing: compose and Kubernetes YAML are recognised, unrelated YAML is not', () => {
  assert.equal(formatForPath('a/docker.yml', () => 'services:\n  web:\n    image: nginx\n')?.id, 'compose');
  assert.equal(formatForPath('a/app.yaml', () => 'apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n')?.id, 'kubernetes');
  assert.equal(formatForPath('a/app.yaml', () => '{ apiVersion: "v1", kind: "Service" }')?.id, 'kubernetes');
  assert.equal(
    formatForPath(
      '.github/workflows/ci.yml',
      () => 'on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    services:\n      db:\n        image: postgres\n',
    ),
    undefined,
  );
  assert.equal(
    formatForPath('openapi.yaml', () => 'openapi: 3.0.0\ninfo:\n  title: x\npaths: {}\n'),
    undefined,
  );
  assert.equal(resolveFormat('/x/docker-compose.override.yml')?.id, 'compose');
  assert.equal(resolveFormat('/x/Dockerfile')?.id, 'dockerfile');
  assert.equal(resolveFormat('/x/api.Dockerfile')?.id, 'dockerfile');
  assert.equal(resolveFormat('/etc/services')?.id, 'services');
  assert.equal(resolveFormat('/x/app.yaml'), undefined);
});

const K8S = [
  'apiVersion: v1',
  'kind: Service',
  'metadata:',
  '  name: web',
  'spec:',
  '  type: LoadBalancer',
  '  selector:',
  '    app: web',
  '  ports:',
  '    - port: 3389',
  '      targetPort: rdp',
  '      nodePort: 30389',
  '---',
  'apiVersion: v1',
  'kind: Service',
  'metadata:',
  '  name: internal',
  'spec:',
  '  type: LoadBalancer',
  '  loadBalancerSourceRanges: ["10.0.0.0/8"]',
  '  ports:',
  '    - port: 443',
  '---',
  'apiVersion: v1',
  'kind: Service',
  'metadata:',
  '  name: cluster',
  'spec:',
  '  ports:',
  '    - port: 5432',
  '---',
  'apiVersion: v1',
  'kind: Service',
  'metadata:',
  '  name: ext',
  'spec:',
  '  externalIPs: [203.0.113.7]',
  '  ports:',
  '    - port: 8080',
  '---',
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata:',
  '  name: web',
  'spec:',
  '  template:',
  '    metadata:',
  '      labels:',
  '        app: web',
  '    spec:',
  '      containers:',
  '        - name: c',
  '          ports:',
  '            - name: rdp',
  '              containerPort: 3389',
  '            - containerPort: 6379',
  '              hostPort: 6379',
  '              hostIP: 127.0.0.1',
  '            - containerPort: 9100',
  '              hostPort: 9100',
  '---',
  'apiVersion: batch/v1',
  'kind: CronJob',
  'metadata:',
  '  name: job',
  'spec:',
  '  jobTemplate:',
  '    spec:',
  '      template:',
  '        spec:',
  '          hostNetwork: true',
  '          containers:',
  '            - name: c',
  '              ports:',
  '                - containerPort: 23',
].join('\n');

test('Kubernetes: Service types, source ranges, externalIPs, named targetPort, hostPort/hostIP, hostNetwork in a CronJob', () => {
  const fa = run('kubernetes', K8S);
  assert.deepEqual(fa.ruleset.problems, []);
  const j = json(fa);
  const web = j.find((c) => c.table === 'Service' && c.chain === 'web' && c.family === 'ipv4')!;
  assert.deepEqual(
    web.entries.map((e) => [e.ports, e.sources]),
    [
      [[[3389, 3389]], ['0.0.0.0/0']],
      [[[30389, 30389]], ['0.0.0.0/0']],
    ],
  );
  const internal = j.find((c) => c.chain === 'internal' && c.family === 'ipv4')!;
  assert.deepEqual(
    internal.entries.map((e) => [e.ports, e.sources, e.approximate]),
    [
      [[[443, 443]], ['10.0.0.0/8'], false],
      [[[30000, 32767]], ['0.0.0.0/0'], true],
    ],
  );
  assert.ok(!j.some((c) => c.chain === 'cluster' && c.entries.length), 'ClusterIP is not exposed');
  const ext = j.find((c) => c.chain === 'ext' && c.family === 'ipv4')!;
  assert.deepEqual(
    ext.entries.map((e) => e.destinations),
    [['203.0.113.7/32']],
  );
  assert.ok(!j.some((c) => c.chain === 'ext' && c.family === 'ipv6' && c.entries.length));
  const lb = allRules(fa.ruleset).find((r) => r.chain === 'web' && r.table === 'Service' && r.listener?.role === 'load-balancer')!;
  assert.equal(lb.listener?.target, 'rdp (3389/tcp)');
  const pc101 = fa.findings.filter((f) => f.code === 'PC101').map((f) => f.message.split('. ')[0]);
  assert.ok(
    pc101.includes('RDP (Windows Remote Desktop), TCP 3389, is reachable from any IPv4 or IPv6 address through Service web'),
    pc101.join('\n'),
  );
  assert.ok(
    pc101.some((m) =>
      m.startsWith('Telnet (clear-text remote login), TCP 23, is reachable from any IPv4 or IPv6 address through CronJob job'),
    ),
  );
  assert.ok(fa.findings.some((f) => f.code === 'PC121' && /CronJob job/.test(f.message)));
  assert.deepEqual(
    fa.findings.filter((f) => f.code === 'PC122').map((f) => f.range.start.line),
    [9],
  );
  assert.deepEqual(
    fa.findings.filter((f) => f.code === 'PC125').map((f) => f.message.match(/opens (\d+)/)?.[1]),
    ['6379', '9100'],
  );
  // The loopback hostIP keeps Redis off the network: no PC120/PC101 for it.
  assert.ok(!fa.findings.some((f) => /Redis/.test(f.message)));
});

test('NetworkPolicy: ipBlock with except, endPort, empty ingress rule, union of policies, unselected pods', () => {
  const fa = run(
    'kubernetes',
    [
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy',
      'metadata: {name: db}',
      'spec:',
      '  podSelector: {matchLabels: {role: db}}',
      '  policyTypes: [Ingress]',
      '  ingress:',
      '    - from:',
      '        - ipBlock: {cidr: 203.0.113.0/24, except: [203.0.113.128/25]}',
      '        - podSelector: {matchLabels: {role: app}}',
      '      ports:',
      '        - {protocol: TCP, port: 6379}',
      '        - {protocol: TCP, port: 32000, endPort: 32768}',
      '---',
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy',
      'metadata: {name: all}',
      'spec:',
      '  podSelector: {matchExpressions: [{key: role, operator: In, values: [db]}]}',
      '  ingress: [{}]',
      '---',
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy',
      'metadata: {name: egress-only}',
      'spec:',
      '  podSelector: {}',
      '  policyTypes: [Egress]',
      '---',
      'apiVersion: v1',
      'kind: Pod',
      'metadata: {name: db, labels: {role: db}}',
      'spec: {containers: [{name: c, ports: [{containerPort: 6379}]}]}',
      '---',
      'apiVersion: v1',
      'kind: Pod',
      'metadata: {name: other, labels: {role: other}}',
      'spec: {containers: [{name: c, ports: [{containerPort: 80}]}]}',
    ].join('\n'),
  );
  assert.deepEqual(fa.ruleset.problems, []);
  const j = json(fa);
  const db = j.find((c) => c.table === 'NetworkPolicy' && c.chain === 'db' && c.family === 'ipv4')!;
  // One entry: the ipBlock (minus its except) and, approximately, the cluster addresses of the selected pods.
  assert.deepEqual(
    db.entries.map((e) => [e.ports, e.sources.filter((x) => x.startsWith('203.') || x === '10.0.0.0/8'), e.approximate]),
    [
      [[[6379, 6379]], ['10.0.0.0/8', '203.0.113.0/25'], true],
      [[[32000, 32768]], ['10.0.0.0/8', '203.0.113.0/25'], true],
    ],
  );
  assert.ok(
    !fa.findings.some((f) => f.code === 'PC101' && /NetworkPolicy db/.test(f.message)),
    'neither a /25 nor cluster addresses are the internet',
  );
  // `ingress: [{}]` allows every source, on the ports the selected pods listen on.
  const all = j.find((c) => c.chain === 'all' && c.family === 'ipv4')!;
  assert.deepEqual(
    all.entries.map((e) => [e.ports, e.sources]),
    [[[[6379, 6379]], ['0.0.0.0/0']]],
  );
  assert.ok(!j.some((c) => c.chain === 'egress-only' && c.entries.length));
  const pods = fa.ruleset.tables.find((t) => t.name === 'Pod')!.chains;
  assert.deepEqual(
    pods.map((c) => [c.name, c.filtered]),
    [
      ['db', true],
      ['other', false],
    ],
  );
  assert.deepEqual(
    fa.findings.filter((f) => f.code === 'PC123').map((f) => f.message.match(/of (Pod \w+)/)?.[1]),
    ['Pod other'],
  );
});

test('NetworkPolicies of the folder narrow Services and hostPorts of the pods they select; pods and Services across files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-k8s-folder-'));
  const write = (n: string, lines: string[]) => fs.writeFileSync(path.join(dir, n), lines.join('\n') + '\n');
  write('app.yaml', [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: {name: web}',
    'spec:',
    '  template:',
    '    metadata: {labels: {app: web}}',
    '    spec:',
    '      containers:',
    '        - name: web',
    '          image: nginx',
    '          ports:',
    '            - {name: http, containerPort: 8080}',
    '            - {containerPort: 9090, hostPort: 9090}',
    '            - {containerPort: 3389}',
    '---',
    'apiVersion: v1',
    'kind: Pod',
    'metadata: {name: other, labels: {app: other}}',
    'spec:',
    '  containers:',
    '    - {name: o, image: x, ports: [{containerPort: 9100, hostPort: 9100}]}',
  ]);
  const service = (policy: string) => [
    'apiVersion: v1',
    'kind: Service',
    'metadata: {name: web}',
    'spec:',
    '  type: LoadBalancer',
    `  externalTrafficPolicy: ${policy}`,
    '  allocateLoadBalancerNodePorts: false',
    '  selector: {app: web}',
    '  ports:',
    '    - {port: 80, targetPort: http}',
    '    - {port: 3389, targetPort: 3389}',
  ];
  write('svc.yaml', service('Local'));
  write('policy.yaml', [
    'apiVersion: networking.k8s.io/v1',
    'kind: NetworkPolicy',
    'metadata: {name: from-office}',
    'spec:',
    '  podSelector: {matchLabels: {app: web}}',
    '  ingress:',
    '    - from: [{ipBlock: {cidr: 198.51.100.0/24, except: [198.51.100.128/25]}}]',
    '      ports: [{port: 8000, endPort: 9095}]',
    '---',
    'apiVersion: networking.k8s.io/v1',
    'kind: NetworkPolicy',
    'metadata: {name: from-partner}',
    'spec:',
    '  podSelector: {matchLabels: {app: web}}',
    '  ingress:',
    '    - from: [{ipBlock: {cidr: 203.0.113.0/24}}]',
    '      ports: [{port: http}]',
  ]);
  const read = (p: string) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined);
  const entries = (fa: FileAnalysis) =>
    json(fa).flatMap((c) => c.entries.map((e) => `${c.chain} ${e.ports.map(([a, b]) => (a === b ? a : `${a}-${b}`)).join(',')} ${e.sources.join(' ')}`));
  const svc = run('kubernetes', fs.readFileSync(path.join(dir, 'svc.yaml'), 'utf8'), path.join(dir, 'svc.yaml'), read);
  // Port 80 → the pods' named port http (8080, defined in app.yaml): the union of both policies' ipBlocks (less
  // the except); 3389 is admitted by neither, so the load balancer reaches nothing there.
  assert.deepEqual(entries(svc), ['web 80 198.51.100.0/25 203.0.113.0/24']);
  assert.ok(!svc.findings.some((f) => f.code === 'PC101'), JSON.stringify(svc.findings.map((f) => f.code)));
  const rule = published(svc)[0];
  assert.match(rule.listener!.target!, /http \(8080\/tcp\)/);
  const grant = svc.exposure.byRule.get(rule.id)![0];
  assert.ok(grant.approximate, 'narrowing assumes the network plugin enforces policies');
  assert.ok(grant.reasons.some((r) => /NetworkPolicies from-office \(policy\.yaml\), from-partner \(policy\.yaml\) admit/.test(r)));
  // The hostPort keeps the client's address: narrowed to what the policies admit on 9090; the other pod is not isolated.
  const app = run('kubernetes', fs.readFileSync(path.join(dir, 'app.yaml'), 'utf8'), path.join(dir, 'app.yaml'), read);
  assert.deepEqual(entries(app), ['web 9090 198.51.100.0/25', 'other 9100 0.0.0.0/0', 'other 9100 ::/0']);
  // With the default Cluster policy kube-proxy masquerades clients: port 80 stays open to all (an upper bound);
  // 3389, admitted to no one, stays closed.
  write('svc.yaml', service('Cluster'));
  const cluster = run('kubernetes', fs.readFileSync(path.join(dir, 'svc.yaml'), 'utf8'), path.join(dir, 'svc.yaml'), read);
  assert.deepEqual(entries(cluster), ['web 80 0.0.0.0/0', 'web 80 ::/0']);
  // Read alone (no folder), the Service is what it was: both ports from anywhere, RDP flagged.
  const alone = run('kubernetes', fs.readFileSync(path.join(dir, 'svc.yaml'), 'utf8'), path.join(dir, 'svc.yaml'));
  assert.deepEqual(entries(alone), ['web 80 0.0.0.0/0', 'web 3389 0.0.0.0/0', 'web 80 ::/0', 'web 3389 ::/0']);
  assert.ok(alone.findings.some((f) => f.code === 'PC101'));
  fs.rmSync(dir, { recursive: true });
});

test('Dockerfile EXPOSE: ports, protocols, ranges, ARG/ENV variables; information only', () => {
  const fa = run(
    'dockerfile',
    [
      'ARG SSH=22',
      'FROM debian:12 AS base',
      'ARG SSH',
      'ENV WEB_PORT=8080',
      'EXPOSE 22 22/tcp 53/udp',
      'EXPOSE 6000-6005 $WEB_PORT ${SSH}',
      'EXPOSE ${UNKNOWN}',
      'EXPOSE abc 70000',
    ].join('\n'),
  );
  assert.deepEqual(
    fa.ruleset.problems.map((p) => [p.code, p.range.start.line, p.range.start.character]),
    [
      ['PC001', 7, 7],
      ['PC002', 7, 11],
    ],
  );
  const rules = allRules(fa.ruleset);
  assert.deepEqual(rules.map(ports), [[[22, 22]], [[22, 22]], [[53, 53]], [[6000, 6005]], [[8080, 8080]], [[22, 22]]]);
  assert.ok(rules.every((r) => r.chain === 'base' && r.action.kind === 'none'));
  assert.equal(fa.exposure.byRule.size, 0, 'EXPOSE publishes nothing');
  const risky = fa.findings.filter((f) => f.code !== 'PC001' && f.code !== 'PC002');
  assert.ok(risky.length >= 4 && risky.every((f) => f.code === 'PC126' && f.severity === 'information'), JSON.stringify(risky));
});

test('services files: entries, aliases, duplicates, IANA conflicts, syntax errors', () => {
  const fa = run(
    'services',
    [
      '# local services',
      'ssh\t22/tcp',
      'myapp\t8088/tcp\tmyapp-alias # ours',
      'myapp\t9999/tcp',
      'ssh\t2222/tcp',
      'broken',
      'bad\t70000/tcp',
      'odd\t10/xyz',
      '',
    ].join('\n'),
  );
  assert.deepEqual(
    fa.ruleset.problems.map((p) => [p.code, p.range.start.line]),
    [
      ['PC127', 3],
      ['PC127', 4],
      ['PC128', 4],
      ['PC001', 5],
      ['PC002', 6],
      ['PC001', 7],
    ],
  );
  const rules = allRules(fa.ruleset);
  assert.equal(rules.length, 5);
  assert.equal(fa.exposure.byRule.size, 0);
});

test('suppression comments work in YAML, Dockerfiles and services files', () => {
  const compose = run(
    'compose',
    [
      'services:',
      '  rdp:',
      '    image: x',
      '    ports:',
      '      # portcullis-ignore PC101: lab VM behind the VPN',
      '      - "3389:3389"',
      '      - "23:23" # portcullis-ignore PC101: trailing',
    ].join('\n'),
  );
  assert.deepEqual(
    codes(compose).filter((c) => c === 'PC101'),
    [],
  );
  const df = run('dockerfile', ['FROM x', '# portcullis-ignore PC126: debug image only', 'EXPOSE 22'].join('\n'));
  assert.deepEqual(codes(df), []);
  const sv = run('services', ['a 1/tcp', 'a 2/tcp # portcullis-ignore PC127: intended'].join('\n'));
  assert.deepEqual(codes(sv), []);
});

test('Helm templates: one information, no syntax error storm', () => {
  const fa = run(
    'kubernetes',
    [
      'apiVersion: v1',
      'kind: Service',
      'metadata:',
      '  name: {{ include "x.fullname" . }}',
      'spec:',
      '  type: {{ .Values.service.type }}',
      '  ports:',
      '    {{- range .Values.ports }}',
      '    - port: {{ .port }}',
      '    {{- end }}',
    ].join('\n'),
  );
  assert.deepEqual(
    fa.findings.map((f) => [f.code, f.severity]),
    [['PC124', 'information']],
  );
});

test('bad YAML input: malformed, tabs, duplicate keys, alias bomb, 10 MB — clear diagnostics, bounded time', () => {
  const t0 = Date.now();
  const malformed = run('compose', 'services:\n  web:\n    ports: ["80:80"\n  db: [\n');
  assert.ok(malformed.findings.some((f) => f.code === 'PC001' && f.severity === 'error' && /^YAML: /.test(f.message)));
  const tabs = run('compose', 'services:\n  web:\n\tports:\n\t  - "80:80"\n');
  assert.ok(
    tabs.findings.some((f) => f.code === 'PC001' && /tab/i.test(f.message)),
    JSON.stringify(tabs.findings),
  );
  const dup = run('compose', 'services:\n  web:\n    image: a\n    image: b\n');
  const d = dup.findings.find((f) => f.code === 'PC001')!;
  assert.match(d.message, /same key twice/);
  assert.equal(d.range.start.line, 3);
  // Billion laughs: nine levels of ten aliases each would expand to 10^9 nodes.
  const bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 9; i++)
    bomb.push(
      `${'abcdefghij'[i]}: &${'abcdefghij'[i]} [${Array(10)
        .fill(`*${'abcdefghij'[i - 1]}`)
        .join(',')}]`,
    );
  bomb.push('services:', '  web:', '    image: x', '    ports: *i', '    <<: *i');
  const b = run('compose', bomb.join('\n'));
  assert.ok(Date.now() - t0 < 5000);
  assert.ok(
    b.findings.every((f) => f.code === 'PC001'),
    JSON.stringify(b.findings.slice(0, 3)),
  );
  // Nothing is skipped silently: entries that are lists are errors (compose reads them no deeper).
  assert.ok(b.findings.some((f) => f.severity === 'error' && /not a list/.test(f.message)), JSON.stringify(b.findings.slice(0, 3)));
  // Merge keys are followed: a merge bomb (5 levels of 10) stops at the alias budget, which is said.
  const merges = ['x-a: &a {image: x}'];
  for (let i = 1; i < 6; i++) merges.push(`x-${'abcdef'[i]}: &${'abcdef'[i]} {<<: [${Array(10).fill(`*${'abcdef'[i - 1]}`).join(', ')}]}`);
  const overBudget = (f: { code: string; message: string }) => f.code === 'PC001' && /aliases expand past/.test(f.message);
  const mb = run('compose', [...merges, 'services:', '  web:', '    <<: *f', '    ports: ["8080:80"]'].join('\n'));
  assert.ok(mb.findings.some(overBudget), JSON.stringify(mb.findings.slice(0, 3)));
  const k8sBomb = run('kubernetes', [...merges, 'apiVersion: v1', 'kind: Service', 'metadata: {<<: *f, name: s}', 'spec: {type: NodePort}'].join('\n'));
  assert.ok(k8sBomb.findings.some(overBudget), JSON.stringify(k8sBomb.findings.slice(0, 3)));
  const big = 'services:\n' + '  s:\n    image: x\n'.repeat(1) + '#'.repeat(10 * 1024 * 1024);
  const t1 = Date.now();
  const huge = run('compose', big);
  assert.ok(Date.now() - t1 < 2000, `${Date.now() - t1} ms for 10 MB`);
  assert.match(huge.findings[0].message, /not analysed: 10\.0 MB/);
  const k8sBad = run('kubernetes', 'apiVersion: v1\nkind: Service\nspec:\n  ports:\n    - port: [1, 2\n');
  assert.ok(k8sBad.findings.some((f) => f.code === 'PC001'));
});
