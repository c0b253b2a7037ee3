// Probe engine vs `nmap -sT` on the same 1,000 TCP ports, in the same run: once on loopback (127.0.0.1) and
// once on a target in a network namespace this bench creates (10.78.0.1, with iptables DROP on 300 ports).
// Both scanners run as child processes and are timed wall-clock, start-up included, so neither gets a head
// start. Prints times, the ratio (target <= 0.5) and how often the two agree on a port's state.
// Uses the compiled sources in out/ (npm run bench builds them).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = (p) => path.join(REPO, 'out', p);
if (!fs.existsSync(OUT('test/support/netns.js'))) {
  try {
    execFileSync('npx', ['tsc', '-p', REPO], { stdio: 'inherit' });
  } catch {
    // tsc still emits when other files have type errors; the check below decides.
  }
}
if (!fs.existsSync(OUT('test/support/netns.js'))) {
  console.log('probe bench: skipped: out/ has no compiled probe engine (npx tsc -p . failed)');
  process.exit(0);
}
const { ProbeLab, TARGET_ADDR, engineArgv, netnsUnavailable, runIn } = require(OUT('test/support/netns.js'));

const ROUNDS = 3;
const ENGINE_OPTIONS = { timeoutMs: 1000, retries: 1, banner: false }; // nmap -sT reads no banners either
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const row = (name, value, target) => console.log(`${name.padEnd(52)} ${value.padStart(12)}   ${target ?? ''}`);

const { parseNmapXml } = require(OUT('server/src/probe/nmap-xml.js'));

/** nmap's XML as port -> state, read with the same importer the editor uses for scans. */
function nmapStates(xml) {
  const host = parseNmapXml(xml).hosts[0];
  return new Map((host?.results ?? []).map((r) => [r.port, r.state]));
}

function which(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Runs argv directly (not in a namespace), killed after 30 s; resolves stdout and wall time. */
function timed(argv, input = '') {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], timeout: 30_000, killSignal: 'SIGKILL' });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve({ stdout: out, wallMs: performance.now() - t }) : reject(new Error(`${argv[0]} exited ${code}: ${err.trim()}`))));
    child.stdin.end(input);
  });
}

/** Alternates the two scanners ROUNDS times on the same ports; prints medians, ratio and agreement. */
async function compare(label, ports, host, run, expected) {
  const nmapArgv = ['nmap', '-sT', '-Pn', '-n', '-p', ports.join(','), '-oX', '-', host];
  const engineInput = JSON.stringify({ host, ports: ports.map((port) => ({ port, protocol: 'tcp' })), options: ENGINE_OPTIONS });
  const ours = [];
  const inEngine = [];
  const theirs = [];
  const theirScan = [];
  let last;
  for (let i = 0; i < ROUNDS; i++) {
    const n = await run(nmapArgv, '');
    theirs.push(n.wallMs);
    // nmap's own figure for the scan (10 ms resolution), start-up excluded, to set beside "engine alone".
    theirScan.push(Number(/<finished [^>]*elapsed="([\d.]+)"/.exec(n.stdout)?.[1] ?? NaN) * 1000);
    const e = await run(engineArgv(), engineInput);
    const parsed = JSON.parse(e.stdout);
    ours.push(e.wallMs);
    inEngine.push(parsed.elapsedMs);
    last = { nmap: nmapStates(n.stdout), engine: new Map(parsed.run.results.map((r) => [r.port, r.state])) };
  }
  const agree = ports.filter((p) => last.nmap.get(p) === last.engine.get(p)).length;
  const truth = ports.filter((p) => last.engine.get(p) === expected(p)).length;
  const counts = {};
  for (const s of last.engine.values()) counts[s] = (counts[s] ?? 0) + 1;
  row(`${label}: portcullis, process wall (median of ${ROUNDS})`, `${median(ours).toFixed(0)} ms`, `(engine alone ${median(inEngine).toFixed(0)} ms)`);
  row(`${label}: nmap -sT, process wall (median of ${ROUNDS})`, `${median(theirs).toFixed(0)} ms`, `(scan alone ${median(theirScan).toFixed(0)} ms by its own clock)`);
  row(`${label}: ratio portcullis / nmap, process wall`, `${(median(ours) / median(theirs)).toFixed(2)}`, 'target <= 0.5');
  row(`${label}: ratio engine alone / nmap scan alone`, `${(median(inEngine) / median(theirScan)).toFixed(2)}`, '(as in the running language server)');
  row(`${label}: same state as nmap`, `${agree}/${ports.length}`, Object.entries(counts).map(([s, c]) => `${c} ${s}`).join(', '));
  row(`${label}: state as configured`, `${truth}/${ports.length}`);
  for (const p of ports.filter((q) => last.nmap.get(q) !== last.engine.get(q)).slice(0, 5)) console.log(`  differs: ${p}/tcp portcullis ${last.engine.get(p)} nmap ${last.nmap.get(p) ?? '(not listed)'}`);
}

console.log(`probe bench: 1,000 TCP ports each, portcullis ${JSON.stringify(ENGINE_OPTIONS)} vs nmap -sT -Pn -n`);
if (!which('nmap')) {
  console.log('probe bench: skipped: nmap not installed (scripts/setup-test-deps.sh installs it)');
  process.exit(0);
}

// 1. Loopback: 24000-24999 lies below the ephemeral range, so no probe can connect to its own source port.
//    Every fifth port gets a listener in this process (open), the rest refuse (closed).
const LOOP = Array.from({ length: 1000 }, (_, i) => 24000 + i);
const servers = [];
const listening = new Set();
for (const p of LOOP.filter((q) => q % 5 === 0)) {
  const s = net.createServer((c) => c.on('error', () => undefined).destroy());
  s.on('error', () => undefined); // a port already taken by someone else is open all the same
  await new Promise((r) => {
    s.once('listening', () => (listening.add(p), r()));
    s.once('error', r);
    s.listen(p, '127.0.0.1');
  });
  servers.push(s);
}
try {
  await compare('loopback', LOOP, '127.0.0.1', timed, (p) => (listening.has(p) ? 'open' : 'closed'));
} catch (e) {
  console.log(`probe bench: loopback failed: ${e.message}`);
} finally {
  for (const s of servers) s.close();
}

// 2. Namespace: ports 1-1000 on 10.78.0.1, open when p % 10 is 1 or 5 (200), dropped when it is 0, 3 or 7
//    (300), closed otherwise (500). Both scanners run inside the prober namespace.
const skip = netnsUnavailable();
if (skip) {
  console.log(`probe bench: namespace part skipped: ${skip}`);
} else {
  const NS = Array.from({ length: 1000 }, (_, i) => i + 1);
  const expected = (p) => ([1, 5].includes(p % 10) ? 'open' : [0, 3, 7].includes(p % 10) ? 'filtered' : 'closed');
  const lab = new ProbeLab(`b${process.pid}`);
  try {
    lab.setup();
    await lab.listen(NS.filter((p) => expected(p) === 'open'));
    const drops = NS.filter((p) => expected(p) === 'filtered').map((p) => `-A INPUT -p tcp --dport ${p} -j DROP`);
    lab.firewall(`*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n${drops.join('\n')}\nCOMMIT\n`);
    await compare('netns', NS, TARGET_ADDR, (argv, input) => runIn(lab.prober, argv, { input, timeoutMs: 30_000 }), expected);
  } catch (e) {
    console.log(`probe bench: namespace part failed: ${e.message}`);
  } finally {
    lab.close();
  }
}
