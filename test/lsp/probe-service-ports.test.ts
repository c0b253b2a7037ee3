/**
 * Probing the listed ports of service-port files: a compose file's published host ports and a Kubernetes
 * Service's node ports are probed like a firewall file's, through the same plan, expectations and drift
 * findings; a Dockerfile's EXPOSE ports are what the container listens on. Targets only 127.0.0.1, where the test
 * opens its own listeners.
 */
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { after, before, test } from 'node:test';
import { LspClient } from '../support/lsp-client';

interface Row {
  port: number;
  protocol: string;
  state: string;
  expected?: string;
  drift?: string;
  line?: number;
}

const listenOn = (port: number): Promise<net.Server | undefined> =>
  new Promise((resolve) => {
    const srv = net.createServer((s) => s.on('error', () => undefined).end());
    srv.once('error', () => resolve(undefined));
    srv.listen(port, '127.0.0.1', () => resolve(srv));
  });
const portOf = (s: net.Server) => (s.address() as net.AddressInfo).port;

/** A listener and a closed port, both inside Kubernetes' node-port range (30000–32767). */
async function nodePorts(): Promise<{ open: net.Server; closed: number }> {
  for (let p = 30100; p < 32700; p += 2) {
    const open = await listenOn(p);
    if (!open) continue;
    const probe = await listenOn(p + 1);
    if (probe) {
      await new Promise((r) => probe.close(r));
      return { open, closed: p + 1 };
    }
    open.close();
  }
  throw new Error('no two free ports in 30100–32700 on 127.0.0.1');
}

let client: LspClient;
const servers: net.Server[] = [];
before(async () => {
  client = new LspClient();
  await client.initialize(null, true, true);
});
after(async () => {
  for (const s of servers) s.close();
  await client.close();
});

async function probe(uri: string): Promise<Map<number, Row>> {
  const report = await client.request<{ results: Row[] }>('workspace/executeCommand', {
    command: 'portcullis.probe',
    arguments: [{ uri, target: '127.0.0.1', timeoutMs: 500 }],
  });
  return new Map(report.results.map((r) => [r.port, r]));
}

test('compose: published host ports are the listed ports; one that does not answer is drift (PC202)', async () => {
  const open = (await listenOn(0))!;
  servers.push(open);
  const closed = (await listenOn(0))!;
  const closedPort = portOf(closed);
  await new Promise((r) => closed.close(r));
  const uri = 'file:///tmp/portcullis-probe-compose/compose.yaml';
  const text = [
    'services:',
    '  web:',
    '    image: nginx',
    '    ports:',
    `      - "${portOf(open)}:80"`,
    `      - "${closedPort}:81"`,
    '    expose:',
    '      - "9000"',
    '',
  ].join('\n');
  await client.open(uri, text, 'dockercompose');
  await client.diagnostics(uri);
  const plan = await client.request<{ port: number; protocol: string }[]>('workspace/executeCommand', {
    command: 'portcullis.probePlan',
    arguments: [{ uri, target: '127.0.0.1' }],
  });
  assert.deepEqual(
    plan.map((p) => p.port).sort((a, b) => a - b),
    [portOf(open), closedPort].sort((a, b) => a - b),
    'published host ports only: not the container ports, not expose:',
  );
  const rows = await probe(uri);
  const a = rows.get(portOf(open))!;
  const b = rows.get(closedPort)!;
  assert.deepEqual([a.state, a.expected, a.drift, a.line], ['open', 'open', undefined, 4]);
  assert.deepEqual([b.state, b.expected, b.drift, b.line], ['closed', 'open', 'PC202', 5]);
  const d = await client.diagnostics(uri, (x) => x.some((y) => y.code === 'PC202'));
  assert.equal(d.find((y) => y.code === 'PC202')!.range.start.line, 5);
});

test("Kubernetes: a NodePort Service's node ports are probed; the open one matches, the closed one drifts", async () => {
  const { open, closed } = await nodePorts();
  servers.push(open);
  const uri = 'file:///tmp/portcullis-probe-k8s/service.yaml';
  const text = [
    'apiVersion: v1',
    'kind: Service',
    'metadata:',
    '  name: web',
    'spec:',
    '  type: NodePort',
    '  selector:',
    '    app: web',
    '  ports:',
    '    - port: 80',
    '      targetPort: 8080',
    `      nodePort: ${portOf(open)}`,
    '    - port: 81',
    '      targetPort: 8081',
    `      nodePort: ${closed}`,
    '',
  ].join('\n');
  await client.open(uri, text, 'yaml');
  await client.diagnostics(uri);
  const rows = await probe(uri);
  const a = rows.get(portOf(open));
  const b = rows.get(closed);
  assert.ok(a && b, `node ports among the probed ports: ${JSON.stringify([...rows.keys()])}`);
  assert.deepEqual([a.state, a.expected, a.drift], ['open', 'open', undefined]);
  assert.deepEqual([b.state, b.expected, b.drift], ['closed', 'open', 'PC202']);
  assert.equal(b.line, 14);
});

test("Dockerfile: EXPOSE ports (incl. ${VAR} from ARG) are the probe's listed ports; the closed one drifts", async () => {
  const open = (await listenOn(0))!;
  servers.push(open);
  const closed = (await listenOn(0))!;
  const closedPort = portOf(closed);
  await new Promise((r) => closed.close(r));
  const uri = 'file:///tmp/portcullis-probe-dockerfile/Dockerfile';
  const text = [
    'FROM node:20 AS app',
    `ARG APP_PORT=${portOf(open)}`,
    'EXPOSE ${APP_PORT}/tcp',
    `EXPOSE ${closedPort}`,
    'CMD ["node", "server.js"]',
    '',
  ].join('\n');
  await client.open(uri, text, 'dockerfile');
  const diags = await client.diagnostics(uri);
  assert.ok(
    diags.every((d) => d.severity !== 1 && d.severity !== 2),
    `EXPOSE publishes nothing: information only, ${JSON.stringify(diags)}`,
  );
  const plan = await client.request<{ port: number; protocol: string }[]>('workspace/executeCommand', {
    command: 'portcullis.probePlan',
    arguments: [{ uri, target: '127.0.0.1' }],
  });
  assert.deepEqual(
    plan.map((p) => `${p.port}/${p.protocol}`).sort(),
    [`${portOf(open)}/tcp`, `${closedPort}/tcp`].sort(),
    'the EXPOSE ports, TCP by default as Docker reads them',
  );
  const rows = await probe(uri);
  const a = rows.get(portOf(open))!;
  const b = rows.get(closedPort)!;
  assert.deepEqual([a.state, a.expected, a.drift, a.line], ['open', 'open', undefined, 2]);
  assert.deepEqual([b.state, b.expected, b.drift, b.line], ['closed', 'open', 'PC202', 3]);
  const d = await client.diagnostics(uri, (x) => x.some((y) => y.code === 'PC202'));
  assert.equal(d.find((y) => y.code === 'PC202')!.range.start.line, 3);
});
