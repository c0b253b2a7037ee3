/**
 * Oracle 2: the Linux kernel. A lab of two network namespaces joined by a veth pair: the firewall side
 * (address 10.77.0.1/24, listeners on TCP and UDP ports, the ruleset loaded with iptables-restore) and the
 * peer side (10.77.0.2/24 plus extra /32 source addresses). Probes run from the peer, bound to each source
 * address, and only ever contact 10.77.0.1. Needs root, `ip` and `iptables-restore`.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';

export const FW_ADDR = '10.77.0.1';
export const PEER_ADDR = '10.77.0.2';
/** The same two ends over IPv6 (ULA), for rulesets loaded with ip6tables-restore. */
export const FW_ADDR6 = 'fd77::1';
export const PEER_ADDR6 = 'fd77::2';

function which(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Why the kernel oracle cannot run here, or undefined when it can. */
export function kernelUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'kernel differential test needs Linux';
  if (process.getuid?.() !== 0) return 'kernel differential test needs root (network namespaces)';
  for (const c of ['ip', 'iptables', 'ip6tables', 'iptables-restore', 'ip6tables-restore', 'nft', 'iptables-restore-translate']) if (!which(c)) return `kernel differential test needs ${c} (scripts/setup-test-deps.sh installs it)`;
  const probe = `pc-chk-${process.pid}`;
  const r = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (r.status !== 0) return `cannot create a network namespace: ${r.stderr.trim()}`;
  spawnSync('ip', ['netns', 'del', probe]);
  return undefined;
}

export interface Probe {
  src: string;
  proto: 'tcp' | 'udp';
  port: number;
}

const LISTENER = `
const net = require('net'), dgram = require('dgram');
const ports = JSON.parse(process.argv[1]);
let pending = ports.length * 4;
const ready = () => { if (--pending === 0) process.stdout.write('ready\\n'); };
for (const p of ports) {
  const s = net.createServer((c) => { c.on('error', () => {}); c.end(); });
  s.on('error', (e) => { process.stderr.write('tcp ' + p + ' ' + e.message + '\\n'); process.exit(1); });
  s.listen({ port: p, host: '0.0.0.0', backlog: 1024 }, ready);
  const u = dgram.createSocket('udp4');
  u.on('message', (m, r) => u.send(m, r.port, r.address));
  u.on('error', (e) => { process.stderr.write('udp ' + p + ' ' + e.message + '\\n'); process.exit(1); });
  u.bind(p, '0.0.0.0', ready);
  const s6 = net.createServer((c) => { c.on('error', () => {}); c.end(); });
  s6.on('error', (e) => { process.stderr.write('tcp6 ' + p + ' ' + e.message + '\\n'); process.exit(1); });
  s6.listen({ port: p, host: '::', ipv6Only: true, backlog: 1024 }, ready);
  const u6 = dgram.createSocket({ type: 'udp6', ipv6Only: true });
  u6.on('message', (m, r) => u6.send(m, r.port, r.address));
  u6.on('error', (e) => { process.stderr.write('udp6 ' + p + ' ' + e.message + '\\n'); process.exit(1); });
  u6.bind(p, '::', ready);
}
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

const PROBER = `
const net = require('net'), dgram = require('dgram');
const { target, target6, probes, timeoutMs, concurrency, basePort } = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = new Array(probes.length);
function tcp(p, i) {
  return new Promise((res) => {
    const s = net.connect({ host: p.src.includes(':') ? target6 : target, port: p.port, localAddress: p.src, localPort: basePort + i });
    const t = setTimeout(() => { s.destroy(); res(false); }, timeoutMs);
    s.on('connect', () => { clearTimeout(t); s.destroy(); res(true); });
    s.on('error', () => { clearTimeout(t); res(false); });
  });
}
function udp(p, i) {
  return new Promise((res) => {
    const v6 = p.src.includes(':');
    const s = dgram.createSocket(v6 ? 'udp6' : 'udp4');
    let done = false;
    const fin = (v) => { if (done) return; done = true; clearTimeout(t); try { s.close(); } catch {} res(v); };
    const t = setTimeout(() => fin(false), timeoutMs);
    s.on('message', () => fin(true));
    s.on('error', () => fin(false));
    s.bind(basePort + i, p.src, () => s.send('pc', p.port, v6 ? target6 : target, (e) => { if (e) fin(false); }));
  });
}
let next = 0;
async function worker() {
  while (next < probes.length) {
    const i = next++;
    out[i] = await (probes[i].proto === 'tcp' ? tcp(probes[i], i) : udp(probes[i], i));
  }
}
Promise.all(Array.from({ length: concurrency }, worker)).then(() => process.stdout.write(JSON.stringify(out)));
`;

/** Two namespaces and a veth pair, torn down by close() (idempotent; call it from `after`). */
export class Lab {
  readonly fw: string;
  readonly peer: string;
  /** The firewall side's veth name, as rulesets should call the interface the probes arrive on. */
  readonly fwIf: string;
  readonly peerIf: string;
  private listener?: ChildProcess;
  private sources = new Set<string>();
  private closed = false;
  /**
   * Source ports are never reused within a lab: the kernel picks ephemeral ports per destination, so a later
   * ruleset's SYN could hit a conntrack entry left ESTABLISHED by an earlier one and be judged by the wrong state.
   */
  private nextPort = 20000;

  constructor(tag = String(process.pid)) {
    this.fw = `pc-fw-${tag}`;
    this.peer = `pc-peer-${tag}`;
    const short = tag.slice(-6);
    this.fwIf = `pcf${short}`;
    this.peerIf = `pcp${short}`;
  }

  private ip(...args: string[]): void {
    execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  }
  private inFw(...args: string[]): void {
    this.ip('netns', 'exec', this.fw, ...args);
  }
  private inPeer(...args: string[]): void {
    this.ip('netns', 'exec', this.peer, ...args);
  }

  setup(): void {
    this.ip('netns', 'add', this.fw);
    this.ip('netns', 'add', this.peer);
    this.ip('link', 'add', this.fwIf, 'netns', this.fw, 'type', 'veth', 'peer', 'name', this.peerIf, 'netns', this.peer);
    this.inFw('ip', 'link', 'set', 'lo', 'up');
    this.inPeer('ip', 'link', 'set', 'lo', 'up');
    this.inFw('ip', 'addr', 'add', `${FW_ADDR}/24`, 'dev', this.fwIf);
    this.inPeer('ip', 'addr', 'add', `${PEER_ADDR}/24`, 'dev', this.peerIf);
    this.inFw('ip', 'link', 'set', this.fwIf, 'up');
    this.inPeer('ip', 'link', 'set', this.peerIf, 'up');
    // Replies to the peer's extra /32 sources go back over the veth.
    this.inFw('ip', 'route', 'add', 'default', 'via', PEER_ADDR, 'dev', this.fwIf);
    this.inFw('sysctl', '-q', '-w', 'net.ipv4.conf.all.rp_filter=0');
    this.inFw('sysctl', '-q', '-w', `net.ipv4.conf.${this.fwIf}.rp_filter=0`);
    // The exposure says which connection-opening packets are accepted. The peer sends only the opening
    // packet of each TCP probe (its ACK and FIN are dropped on the way out), so a completed connect() means
    // exactly "the SYN was accepted": what the ruleset does to later packets of the flow cannot blur it.
    this.inPeer('iptables', '-A', 'OUTPUT', '-o', this.peerIf, '-p', 'tcp', '!', '--syn', '-j', 'DROP');
    this.inPeer('ip6tables', '-A', 'OUTPUT', '-o', this.peerIf, '-p', 'tcp', '!', '--syn', '-j', 'DROP');
    // IPv6: addresses without duplicate detection, and permanent neighbour entries both ways, so a ruleset
    // that drops ICMPv6 (neighbour discovery) still decides only the probes, not whether the link works.
    this.inFw('ip', '-6', 'addr', 'add', `${FW_ADDR6}/64`, 'dev', this.fwIf, 'nodad');
    this.inPeer('ip', '-6', 'addr', 'add', `${PEER_ADDR6}/64`, 'dev', this.peerIf, 'nodad');
    const mac = (ns: string, dev: string) => execFileSync('ip', ['netns', 'exec', ns, 'cat', `/sys/class/net/${dev}/address`], { encoding: 'utf8' }).trim();
    this.inFw('ip', '-6', 'neigh', 'replace', PEER_ADDR6, 'lladdr', mac(this.peer, this.peerIf), 'dev', this.fwIf, 'nud', 'permanent');
    this.inPeer('ip', '-6', 'neigh', 'replace', FW_ADDR6, 'lladdr', mac(this.fw, this.fwIf), 'dev', this.peerIf, 'nud', 'permanent');
    this.inFw('ip', '-6', 'route', 'add', 'default', 'via', PEER_ADDR6, 'dev', this.fwIf);
  }

  /** Adds source addresses (as /32 or /128) to the peer's veth. */
  addSources(addrs: Iterable<string>): void {
    for (const a of addrs) {
      if (a === PEER_ADDR || a === PEER_ADDR6 || this.sources.has(a)) continue;
      if (a.includes(':')) this.inPeer('ip', '-6', 'addr', 'add', `${a}/128`, 'dev', this.peerIf, 'nodad');
      else this.inPeer('ip', 'addr', 'add', `${a}/32`, 'dev', this.peerIf);
      this.sources.add(a);
    }
  }

  /** Starts TCP listeners and UDP echo responders on the firewall side (replaces earlier ones). */
  async listen(ports: number[]): Promise<void> {
    this.stopListener();
    const child = spawn('ip', ['netns', 'exec', this.fw, process.execPath, '-e', LISTENER, JSON.stringify(ports)], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.listener = child;
    await new Promise<void>((resolve, reject) => {
      let err = '';
      child.stderr!.on('data', (d) => (err += d));
      child.stdout!.on('data', (d) => String(d).includes('ready') && resolve());
      child.on('exit', (code) => reject(new Error(`listener exited ${code}: ${err}`)));
      setTimeout(() => reject(new Error('listener did not start')), 5000).unref();
    });
  }

  private stopListener(): void {
    if (this.listener && this.listener.exitCode === null) {
      this.listener.stdin?.end();
      this.listener.kill();
    }
    this.listener = undefined;
  }

  /** Loads an iptables-restore file into the firewall namespace; returns the error text or undefined. */
  load(text: string, ipv6 = false): string | undefined {
    const r = spawnSync('ip', ['netns', 'exec', this.fw, ipv6 ? 'ip6tables-restore' : 'iptables-restore'], { input: text, encoding: 'utf8' });
    return r.status === 0 ? undefined : r.stderr || `exit ${r.status}`;
  }

  /**
   * Replaces the firewall namespace's whole ruleset with nftables text (`nft -f`), and returns the kernel's
   * own listing of what it loaded (`nft list ruleset`) or throws with nft's error.
   */
  loadNft(text: string): string {
    const r = spawnSync('ip', ['netns', 'exec', this.fw, 'nft', '-f', '-'], { input: `flush ruleset\n${text}`, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`nft -f failed: ${r.stderr}`);
    return execFileSync('ip', ['netns', 'exec', this.fw, 'nft', 'list', 'ruleset'], { encoding: 'utf8' });
  }

  /** Empties every table (between rulesets). */
  reset(): void {
    spawnSync('ip', ['netns', 'exec', this.fw, 'nft', 'flush', 'ruleset']);
    this.load('*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n', true);
    this.load('*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n');
  }

  /** Runs the probes from the peer namespace; true = the connection (or UDP exchange) succeeded. */
  probe(probes: Probe[], timeoutMs = 300, concurrency = 64): Promise<boolean[]> {
    return new Promise((resolve, reject) => {
      const child = spawn('ip', ['netns', 'exec', this.peer, process.execPath, '-e', PROBER], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('exit', (code) => {
        if (code !== 0) return reject(new Error(`prober exited ${code}: ${err}`));
        try {
          resolve(JSON.parse(out));
        } catch (e) {
          reject(e);
        }
      });
      if (this.nextPort + probes.length > 65000) return reject(new Error('lab ran out of unique source ports'));
      child.stdin.end(JSON.stringify({ target: FW_ADDR, target6: FW_ADDR6, probes, timeoutMs, concurrency, basePort: this.nextPort }));
      this.nextPort += probes.length;
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopListener();
    // Deleting a namespace removes its end of the veth, and with it the pair.
    for (const ns of [this.fw, this.peer]) if (fs.existsSync(`/run/netns/${ns}`)) spawnSync('ip', ['netns', 'del', ns]);
  }
}
