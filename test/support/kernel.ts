/**
 * Oracle 2: the Linux kernel. A lab of two network namespaces joined by a veth pair (veth-lab.ts): the
 * firewall side (10.77.0.1/24 and fd77::1, TCP and UDP listeners, the ruleset loaded with iptables-restore,
 * ip6tables-restore or nft -f) and the peer side (10.77.0.2/24 and fd77::2, plus extra /32 and /128
 * sources). Probes run from the peer, bound to each source address, and only ever contact the firewall side.
 * Needs root, iproute2, iptables and nftables.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { VethLab, labUnavailable } from './veth-lab';

export const FW_ADDR = '10.77.0.1';
export const PEER_ADDR = '10.77.0.2';
/** The same two ends over IPv6 (ULA), for rulesets loaded with ip6tables-restore. */
export const FW_ADDR6 = 'fd77::1';
export const PEER_ADDR6 = 'fd77::2';

/** Why the kernel oracle cannot run here, or undefined when it can. */
export function kernelUnavailable(): string | undefined {
  return labUnavailable('the kernel differential test', [
    'iptables',
    'ip6tables',
    'iptables-restore',
    'ip6tables-restore',
    'nft',
    'iptables-restore-translate',
  ]);
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

/** The firewall and peer namespaces, torn down by close() (idempotent; call it from `after`). */
export class Lab extends VethLab {
  private sources = new Set<string>();
  /**
   * Source ports are never reused within a lab: the kernel picks ephemeral ports per destination, so a later
   * ruleset's SYN could hit a conntrack entry left ESTABLISHED by an earlier one and be judged by the wrong state.
   */
  private nextPort = 20000;

  constructor(tag = String(process.pid)) {
    const short = tag.slice(-6);
    super({ ns: `pc-fw-${tag}`, dev: `pcf${short}`, addr: FW_ADDR }, { ns: `pc-peer-${tag}`, dev: `pcp${short}`, addr: PEER_ADDR });
  }

  get fw(): string {
    return this.a.ns;
  }
  get peer(): string {
    return this.b.ns;
  }
  /** The firewall side's veth name, as rulesets should call the interface the probes arrive on. */
  get fwIf(): string {
    return this.a.dev;
  }
  get peerIf(): string {
    return this.b.dev;
  }

  override setup(): void {
    super.setup();
    try {
      this.configure();
    } catch (e) {
      this.close();
      throw e;
    }
  }

  private configure(): void {
    const inFw = (...args: string[]) => this.inNs(this.a, ...args);
    const inPeer = (...args: string[]) => this.inNs(this.b, ...args);
    // Replies to the peer's extra /32 sources go back over the veth.
    inFw('ip', 'route', 'add', 'default', 'via', PEER_ADDR, 'dev', this.fwIf);
    inFw('sysctl', '-q', '-w', 'net.ipv4.conf.all.rp_filter=0');
    inFw('sysctl', '-q', '-w', `net.ipv4.conf.${this.fwIf}.rp_filter=0`);
    // The exposure says which connection-opening packets are accepted. The peer sends only the opening
    // packet of each TCP probe (its ACK and FIN are dropped on the way out), so a completed connect() means
    // exactly "the SYN was accepted": what the ruleset does to later packets of the flow cannot blur it.
    inPeer('iptables', '-A', 'OUTPUT', '-o', this.peerIf, '-p', 'tcp', '!', '--syn', '-j', 'DROP');
    inPeer('ip6tables', '-A', 'OUTPUT', '-o', this.peerIf, '-p', 'tcp', '!', '--syn', '-j', 'DROP');
    // IPv6: addresses without duplicate detection, and permanent neighbour entries both ways, so a ruleset
    // that drops ICMPv6 (neighbour discovery) still decides only the probes, not whether the link works.
    inFw('ip', '-6', 'addr', 'add', `${FW_ADDR6}/64`, 'dev', this.fwIf, 'nodad');
    inPeer('ip', '-6', 'addr', 'add', `${PEER_ADDR6}/64`, 'dev', this.peerIf, 'nodad');
    const mac = (ns: string, dev: string) =>
      execFileSync('ip', ['netns', 'exec', ns, 'cat', `/sys/class/net/${dev}/address`], { encoding: 'utf8' }).trim();
    inFw('ip', '-6', 'neigh', 'replace', PEER_ADDR6, 'lladdr', mac(this.peer, this.peerIf), 'dev', this.fwIf, 'nud', 'permanent');
    inPeer('ip', '-6', 'neigh', 'replace', FW_ADDR6, 'lladdr', mac(this.fw, this.fwIf), 'dev', this.peerIf, 'nud', 'permanent');
    inFw('ip', '-6', 'route', 'add', 'default', 'via', PEER_ADDR6, 'dev', this.fwIf);
  }

  /** Adds source addresses (as /32 or /128) to the peer's veth. */
  addSources(addrs: Iterable<string>): void {
    for (const a of addrs) {
      if (a === PEER_ADDR || a === PEER_ADDR6 || this.sources.has(a)) continue;
      if (a.includes(':')) this.inNs(this.b, 'ip', '-6', 'addr', 'add', `${a}/128`, 'dev', this.peerIf, 'nodad');
      else this.inNs(this.b, 'ip', 'addr', 'add', `${a}/32`, 'dev', this.peerIf);
      this.sources.add(a);
    }
  }

  /** Starts TCP listeners and UDP echo responders on the firewall side (replaces earlier ones). */
  listen(ports: number[]): Promise<void> {
    return this.startScript(this.a, LISTENER, JSON.stringify(ports));
  }

  /** Loads an iptables-restore file into the firewall namespace; returns the error text or undefined. */
  load(text: string, ipv6 = false): string | undefined {
    const r = spawnSync('ip', ['netns', 'exec', this.fw, ipv6 ? 'ip6tables-restore' : 'iptables-restore'], {
      input: text,
      encoding: 'utf8',
    });
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

  /**
   * Runs the probes from the peer namespace (or, with `local`, from the firewall namespace to its own loopback
   * address, so they arrive on `lo`); true = the connection (or UDP exchange) succeeded.
   */
  probe(probes: Probe[], timeoutMs = 300, concurrency = 64, local = false): Promise<boolean[]> {
    return new Promise((resolve, reject) => {
      const child = spawn('ip', ['netns', 'exec', local ? this.fw : this.peer, process.execPath, '-e', PROBER], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
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
      const [target, target6] = local ? ['127.0.0.1', '::1'] : [FW_ADDR, FW_ADDR6];
      child.stdin.end(JSON.stringify({ target, target6, probes, timeoutMs, concurrency, basePort: this.nextPort }));
      this.nextPort += probes.length;
    });
  }
}
