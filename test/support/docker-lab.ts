/**
 * The kernel lab (kernel.ts) with a third namespace as a Docker container: the firewall namespace plays the
 * Docker host, joined to the container by a veth whose host end is named like Docker's compose bridge (br-pc,
 * 172.18.0.1/16; the container is 172.18.0.2). Rules are loaded as a ufw host with Docker running has them:
 * ufw's base chains, its rules files, then Docker's chains (test/fixtures/docker-bypass/). Probes come from
 * the peer namespace, as from the network. Needs root, ip and iptables (legacy or nft backend).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { Lab } from './kernel';

export const BRIDGE = 'br-pc';
export const BRIDGE_ADDR = '172.18.0.1';
export const CONTAINER_ADDR = '172.18.0.2';

const LISTENER = `
const net = require('net');
const s = net.createServer((c) => { c.on('error', () => {}); c.end(process.argv[2]); });
s.listen({ port: Number(process.argv[1]), host: '0.0.0.0' }, () => process.stdout.write('ready\\n'));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

export class DockerLab extends Lab {
  readonly ctr: string;
  private readonly listeners: ChildProcess[] = [];

  constructor(tag = String(process.pid)) {
    super(tag);
    this.ctr = `pc-ctr-${tag}`;
  }

  override setup(): void {
    super.setup();
    try {
      const run = (...args: string[]) => {
        const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
        if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
      };
      run('netns', 'add', this.ctr);
      run('link', 'add', BRIDGE, 'netns', this.fw, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', this.ctr);
      run('-n', this.fw, 'addr', 'add', `${BRIDGE_ADDR}/16`, 'dev', BRIDGE);
      run('-n', this.fw, 'link', 'set', BRIDGE, 'up');
      run('-n', this.ctr, 'link', 'set', 'lo', 'up');
      run('-n', this.ctr, 'addr', 'add', `${CONTAINER_ADDR}/16`, 'dev', 'eth0');
      run('-n', this.ctr, 'link', 'set', 'eth0', 'up');
      run('-n', this.ctr, 'route', 'add', 'default', 'via', BRIDGE_ADDR);
      // Docker turns on forwarding on the host; it is per network namespace.
      run('netns', 'exec', this.fw, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1');
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** Starts a TCP listener on `port` in the container ("container") or on the host ("host") namespace. */
  async serve(where: 'container' | 'host', port: number): Promise<void> {
    const child = spawn(
      'ip',
      ['netns', 'exec', where === 'container' ? this.ctr : this.fw, process.execPath, '-e', LISTENER, String(port), where],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    this.listeners.push(child);
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`the ${where} listener did not start in 10 s`)), 10_000);
      child.stdout!.on('data', (d) => String(d).includes('ready') && (clearTimeout(t), resolve()));
      child.on('exit', (code) => (clearTimeout(t), reject(new Error(`the ${where} listener exited ${code}`))));
    });
  }

  /** Empties every table, then loads each iptables-restore text on top of the previous ones (`-n`). */
  loadLayers(texts: string[]): void {
    this.reset();
    for (const t of ['nat', 'raw']) spawnSync('ip', ['netns', 'exec', this.fw, 'iptables', '-t', t, '-F']);
    spawnSync('ip', ['netns', 'exec', this.fw, 'iptables', '-t', 'nat', '-X']);
    spawnSync('ip', ['netns', 'exec', this.fw, 'iptables', '-F']);
    spawnSync('ip', ['netns', 'exec', this.fw, 'iptables', '-X']);
    for (const text of texts) {
      const r = spawnSync('ip', ['netns', 'exec', this.fw, 'iptables-restore', '-n'], { input: text, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`iptables-restore -n failed: ${r.stderr}\n${text}`);
    }
  }

  /** Packets the rule of `chain` (filter table) whose text contains `needle` has matched, from `iptables-save -c`. */
  packets(chain: string, needle: string): number {
    const out = spawnSync('ip', ['netns', 'exec', this.fw, 'iptables-save', '-c', '-t', 'filter'], { encoding: 'utf8' }).stdout;
    const line = out.split('\n').find((l) => l.includes(`-A ${chain} `) && l.includes(needle));
    return line ? Number(/^\[(\d+):/.exec(line)?.[1] ?? 0) : 0;
  }

  override close(): void {
    for (const c of this.listeners.splice(0)) {
      c.stdin?.end();
      c.kill('SIGKILL');
    }
    super.close();
    if (fs.existsSync(`/run/netns/${this.ctr}`)) spawnSync('ip', ['netns', 'del', this.ctr], { timeout: 10_000 });
  }
}
