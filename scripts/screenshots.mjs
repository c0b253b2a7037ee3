#!/usr/bin/env node
// Screenshots for the README and docs, taken in code-server's VS Code web workbench driven by playwright-core and
// Debian's /usr/bin/chromium — the offline stack of ../shared/tools/vscode-e2e (run its setup.sh once).
// The packaged extension (scripts/package.sh) is installed into a throw-away extensions dir, code-server binds
// 127.0.0.1 only and chromium resolves nothing but loopback, as in run-tests.mjs.
//
//   node scripts/screenshots.mjs            -> docs/images/diagnostics.png, hover.png, probe.png (the probe
//                                              targets 127.0.0.1 only, where the script opens its listeners),
//                                              exposure.png, inlay-hints.png, snippet-fix.png, completion.png
//   node scripts/screenshots.mjs --editor   -> only the last four (the Exposure view and editor conveniences)
//   node scripts/screenshots.mjs --icon     -> images/icon.png (128x128, rendered from the SVG below)
//   node scripts/screenshots.mjs --terraform -> only docs/images/terraform.png (a security group in main.tf)
//   node scripts/screenshots.mjs --format  -> only docs/images/format-document.png (Format Document on an nft file:
//                                              the file as written on the left, formatted on the right)
//   node scripts/screenshots.mjs --workspace -> docs/images/workspace-exposure.png (the Workspace Exposure view over
//                                              test/e2e/workspace/stack and the sample above)
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = process.env.VSCODE_E2E_CHROMIUM || '/usr/bin/chromium';
const CACHE = process.env.VSCODE_E2E_CACHE || path.join(os.homedir(), '.cache', 'vscode-e2e');
const STACK = path.join(CACHE, 'stack');
const OUT = path.join(REPO, 'docs', 'images');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (m) => process.stdout.write(`screenshots: ${m}\n`);
const require = createRequire(import.meta.url);

const ICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128">
  <rect x="4" y="4" width="120" height="120" rx="22" fill="#1d3557"/>
  <path d="M24 116 V48 A40 40 0 0 1 104 48 V116 Z" fill="#457b9d"/>
  <g stroke="#f1faee" stroke-width="7" stroke-linecap="round">
    <line x1="40" y1="30" x2="40" y2="100"/><line x1="56" y1="16" x2="56" y2="100"/>
    <line x1="72" y1="16" x2="72" y2="100"/><line x1="88" y1="30" x2="88" y2="100"/>
    <line x1="30" y1="52" x2="98" y2="52"/><line x1="30" y1="76" x2="98" y2="76"/>
  </g>
  <g fill="#f1faee"><path d="M36 100 l4 12 l4 -12 Z"/><path d="M52 100 l4 12 l4 -12 Z"/><path d="M68 100 l4 12 l4 -12 Z"/><path d="M84 100 l4 12 l4 -12 Z"/></g>
  <circle cx="100" cy="100" r="17" fill="#e63946" stroke="#1d3557" stroke-width="4"/>
  <rect x="97" y="89" width="6" height="14" rx="2" fill="#fff"/><circle cx="100" cy="109" r="3.2" fill="#fff"/>
</svg>`;

const SAMPLE = `# A small web server's iptables-save (sample for the screenshots).
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
-A INPUT -s 198.51.100.0/24 -p tcp --dport 22 -j ACCEPT
-A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT
-A INPUT -p tcp --dport 3389 -j ACCEPT
-A INPUT -p tcp --dport 3000:6000 -j ACCEPT
-A INPUT --dport 8080 -j ACCEPT
COMMIT
`;

// The completion screenshot: an nftables file where the script types `tcp dport `.
const NFT_SAMPLE = `#!/usr/sbin/nft -f
define web = { 80, 443 }
table inet filter {
  chain input {
    type filter hook input priority 0; policy drop;
    iif lo accept
    ct state established,related accept
    tcp dport $web accept
  }
}
`;

// The Format Document screenshot: an nftables file written the way rules grow by hand.
const NFT_MESSY = `#!/usr/sbin/nft -f
define admin = { 198.51.100.0/24, 203.0.113.7 }
table inet filter {
chain input {
type filter hook input priority 0; policy drop;
    iif lo accept
      ct state established,related accept
  ip saddr $admin tcp dport 22 accept
 tcp dport { 80, 443 } accept; udp dport 53 accept
        icmp type echo-request limit rate 5/second accept
}
  chain forward { type filter hook forward priority 0; policy drop; }
}
`;

// The probe screenshot: listeners on 127.0.0.1 that this script opens, and a file that disagrees with them.
const PROBE_PORTS = { web: 18080, tls: 18443, ssh: 12222, db: 15432 };
const PROBE_SAMPLE = `# What the file says about this host (sample for the probe screenshot).
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -p tcp -m multiport --dports ${PROBE_PORTS.web},${PROBE_PORTS.tls} -j ACCEPT
-A INPUT -s 198.51.100.0/24 -p tcp --dport ${PROBE_PORTS.ssh} -j ACCEPT
-A INPUT -p tcp --dport ${PROBE_PORTS.db} -j DROP
COMMIT
`;

// The Terraform screenshot: RDP open to the world in a security group, next to a restricted SSH rule.
const TF_SAMPLE = `resource "aws_security_group" "web" {
  name   = "web"
  vpc_id = aws_vpc.main.id

  ingress {
    description = "SSH from the office"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["198.51.100.0/24"]
  }

  ingress {
    description = "Remote desktop"
    from_port   = 3389
    to_port     = 3389
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0", "::/0"]
  }
}

resource "aws_security_group_rule" "admin" {
  type              = "ingress"
  from_port         = 0
  to_port           = 65535
  protocol          = "-1"
  cidr_blocks       = ["0.0.0.0/1", "128.0.0.0/1"]
  security_group_id = aws_security_group.web.id
}
`;

async function probeListeners() {
  const greet = { [PROBE_PORTS.ssh]: 'SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n', [PROBE_PORTS.db]: '' , [PROBE_PORTS.web]: '' };
  return Promise.all(Object.entries(greet).map(([port, banner]) => new Promise((resolve, reject) => {
    const srv = net.createServer((s) => { s.on('error', () => undefined); if (banner) s.end(banner); });
    srv.on('error', reject);
    srv.listen(Number(port), '127.0.0.1', () => resolve(srv));
  })));
}

/** Opens a workspace file through Quick Open, waiting until the file search has listed it. */
async function quickOpen(page, name) {
  await page.keyboard.press('Control+P');
  await page.waitForSelector('.quick-input-widget input', { timeout: 15000 });
  await page.keyboard.type(name);
  await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${name}"]`, { timeout: 20000 });
  await sleep(300);
  await page.keyboard.press('Enter');
}

function launchChromium(chromium, extraEnv = {}) {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    env: { ...process.env, ...extraEnv },
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-default-apps', '--disable-extensions',
      '--no-default-browser-check', '--disable-dev-shm-usage', '--no-proxy-server',
      '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost',
    ],
  });
}

function loadPlaywright() {
  for (const from of [path.join(REPO, 'package.json'), path.join(STACK, 'package.json')]) {
    try { return createRequire(from)('playwright-core'); } catch { /* next */ }
  }
  throw new Error('playwright-core not found (npm install, or run ../shared/tools/vscode-e2e/setup.sh)');
}

async function renderIcon() {
  const { chromium } = loadPlaywright();
  const browser = await launchChromium(chromium);
  const page = await browser.newPage({ viewport: { width: 128, height: 128 } });
  await page.setContent(`<html><body style="margin:0;background:transparent">${ICON_SVG}</body></html>`);
  const out = path.join(REPO, 'images', 'icon.png');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  await page.screenshot({ path: out, omitBackground: true, clip: { x: 0, y: 0, width: 128, height: 128 } });
  await browser.close();
  log(`wrote ${path.relative(REPO, out)}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

/** The Workspace Exposure view beside the compose file whose published port PC301 flags. */
async function workspaceShot(page) {
  await quickOpen(page, 'compose.yaml');
  await page.waitForSelector('.monaco-editor .squiggly-warning, .monaco-editor .squiggly-error', { timeout: 30000 });
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget input', { timeout: 15000 });
  await page.keyboard.type('Focus on Workspace Exposure View');
  await sleep(800);
  await page.keyboard.press('Enter');
  await page.waitForSelector('.monaco-list-row[aria-label*="compose.yaml"]', { timeout: 30000 });
  // Room for the tree: drag the sash between the editor and the panel up.
  const sash = await page.$('.part.panel.bottom');
  const box = sash && (await sash.boundingBox());
  if (box) {
    await page.mouse.move(box.x + box.width / 2, box.y + 1);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, 300, { steps: 8 });
    await page.mouse.up();
  }
  // The per-file Exposure view shares the panel: collapse it so the workspace tree gets the width.
  const other = await page.$('.pane-header[aria-label^="Exposure"]');
  if (other && (await other.getAttribute('aria-expanded')) === 'true') await other.click();
  await sleep(1500);
  await page.mouse.click(900, 120); // focus back on the editor, away from the text
  await sleep(800);
  await page.screenshot({ path: path.join(OUT, 'workspace-exposure.png') });
  log('wrote docs/images/workspace-exposure.png');
}

async function main() {
  const editorOnly = process.argv.includes('--editor');
  if (process.argv.includes('--icon')) return renderIcon();
  const csEntry = path.join(STACK, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (!fs.existsSync(csEntry)) throw new Error(`code-server not found in ${STACK}: run ../shared/tools/vscode-e2e/setup.sh`);
  if (!fs.existsSync(CHROMIUM)) throw new Error(`chromium not found at ${CHROMIUM}`);
  const { chromium } = loadPlaywright();

  const run = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-shots-'));
  const dirs = { ud: path.join(run, 'ud'), ext: path.join(run, 'ext'), xdg: path.join(run, 'xdg'), ws: path.join(run, 'firewall') };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  const onlyWorkspace = process.argv.includes('--workspace');
  if (onlyWorkspace) fs.cpSync(path.join(REPO, 'test', 'e2e', 'workspace', 'stack'), dirs.ws, { recursive: true });
  else {
    fs.writeFileSync(path.join(dirs.ws, 'rules.v4'), SAMPLE);
    fs.writeFileSync(path.join(dirs.ws, 'web1.rules'), PROBE_SAMPLE);
    fs.writeFileSync(path.join(dirs.ws, 'main.tf'), TF_SAMPLE);
    fs.writeFileSync(path.join(dirs.ws, 'web.nft'), NFT_SAMPLE);
    fs.writeFileSync(path.join(dirs.ws, 'as-written.nft'), NFT_MESSY);
    fs.writeFileSync(path.join(dirs.ws, 'formatted.nft'), NFT_MESSY);
  }
  fs.mkdirSync(path.join(dirs.ud, 'User'), { recursive: true });
  fs.writeFileSync(path.join(dirs.ud, 'User', 'settings.json'), JSON.stringify({
    'workbench.colorTheme': 'Default Dark Modern',
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'security.workspace.trust.enabled': false,
    'editor.minimap.enabled': false,
    'editor.fontSize': 14,
    'editor.hover.delay': 150,
    'breadcrumbs.enabled': false,
    'chat.commandCenter.enabled': false,
    'window.commandCenter': false,
    'workbench.layoutControl.enabled': false,
  }, null, 2));
  const env = {
    ...process.env, EXTENSIONS_GALLERY: '{}',
    XDG_DATA_HOME: path.join(dirs.xdg, 'data'), XDG_CONFIG_HOME: path.join(dirs.xdg, 'config'), XDG_CACHE_HOME: path.join(dirs.xdg, 'cache'),
  };
  for (const k of ['PORT', 'PASSWORD', 'HASHED_PASSWORD', 'CODE_SERVER_CONFIG', 'VSCODE_IPC_HOOK_CLI', 'NODE_OPTIONS']) delete env[k];
  const common = ['--config', path.join(run, 'config.yaml'), '--user-data-dir', dirs.ud, '--extensions-dir', dirs.ext];

  let server;
  let browser;
  let listeners = [];
  let failureShot = async () => undefined;
  try {
    // The probe shot's listeners; the editor shots need none (and may run beside another run's listeners).
    if (!editorOnly) listeners = await probeListeners();
    const vsix = path.join(run, 'portcullis.vsix');
    log('packaging the extension');
    const pkg = spawnSync('bash', [path.join(REPO, 'scripts', 'package.sh'), '-o', vsix], { cwd: REPO, encoding: 'utf8' });
    if (pkg.status !== 0) throw new Error(`packaging failed:\n${pkg.stdout}${pkg.stderr}`);
    const inst = spawnSync(process.execPath, [csEntry, ...common, '--install-extension', vsix, '--force'], { env, encoding: 'utf8', timeout: 120000 });
    if (inst.status !== 0) throw new Error(`installing the .vsix failed:\n${inst.stdout}${inst.stderr}`);

    const port = await freePort();
    server = spawn(process.execPath, [csEntry, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, ...common,
      '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
      '--disable-proxy', '--ignore-last-opened'], { env, cwd: run, detached: true, stdio: 'ignore' });
    const deadline = Date.now() + 60000;
    for (;;) {
      try { if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break; } catch { /* not up yet */ }
      if (Date.now() > deadline) throw new Error('code-server did not come up within 60 s');
      await sleep(200);
    }
    browser = await launchChromium(chromium, { XDG_CONFIG_HOME: path.join(dirs.xdg, 'chromium-config'), XDG_CACHE_HOME: path.join(dirs.xdg, 'chromium-cache') });
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 }, deviceScaleFactor: 1 });
    failureShot = () => page.screenshot({ path: path.join(os.tmpdir(), 'portcullis-screenshot-failure.png') }).catch(() => undefined);
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(dirs.ws)}`, { waitUntil: 'domcontentloaded', timeout: 60000 });
    await page.waitForSelector('.monaco-workbench .part.editor', { timeout: 60000 });
    await sleep(2500);

    if (process.argv.includes('--terraform')) {
      await quickOpen(page, 'main.tf');
      await page.waitForSelector('.monaco-editor .view-lines', { timeout: 20000 });
      await page.waitForSelector('.monaco-editor .squiggly-error', { timeout: 30000 });
      await page.keyboard.press('Control+Shift+M'); // Problems panel
      await page.waitForSelector('.markers-panel .monaco-list-row', { timeout: 15000 });
      await page.mouse.click(700, 120);
      await sleep(1200);
      fs.mkdirSync(OUT, { recursive: true });
      await page.screenshot({ path: path.join(OUT, 'terraform.png') });
      log('wrote docs/images/terraform.png');
      return;
    }

    fs.mkdirSync(OUT, { recursive: true });
    if (process.argv.includes('--format')) {
      await formatShot(page);
      return;
    }
    if (onlyWorkspace) {
      await workspaceShot(page);
      return;
    }
    if (!editorOnly) await classicShots(page);
    await editorShots(page);
  } catch (e) {
    await failureShot(); // what the page looked like when a step timed out
    throw e;
  } finally {
    for (const l of listeners) l.close();
    if (browser) await browser.close().catch(() => undefined);
    if (server?.pid) {
      try { process.kill(-server.pid, 'SIGTERM'); } catch { /* gone */ }
      await sleep(1000);
      try { process.kill(-server.pid, 'SIGKILL'); } catch { /* gone */ }
    }
    fs.rmSync(run, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** Format Document on an nftables file: the same text as written (left) and formatted by Portcullis (right). */
async function formatShot(page) {
  await quickOpen(page, 'as-written.nft');
  await page.waitForSelector('.monaco-editor .view-lines', { timeout: 20000 });
  await palette(page, 'View: Split Editor Right');
  await sleep(800);
  await quickOpen(page, 'formatted.nft');
  await sleep(2500); // the language server starts and analyses the file
  await palette(page, 'Format Document');
  // Formatting changed the text only when the right editor's fourth line is indented (`    type filter …`).
  const deadline = Date.now() + 20000;
  for (;;) {
    const lines = await page.$$eval('.editor-group-container.active .view-line', (els) =>
      els.map((e) => ({ top: parseFloat(e.style.top), text: e.textContent.replace(/\u00a0/g, ' ') })),
    );
    const typed = lines.sort((a, b) => a.top - b.top).find((l) => l.text.includes('type filter hook input'));
    if (typed?.text.startsWith('    type')) break;
    if (Date.now() > deadline) throw new Error(`Format Document did not indent the chain: ${JSON.stringify(typed)}`);
    await sleep(300);
  }
  await page.keyboard.press('Control+S');
  await page.keyboard.press('Control+B'); // hide the side bar: room for both files
  await sleep(1200);
  await page.screenshot({ path: path.join(OUT, 'format-document.png') });
  log('wrote docs/images/format-document.png');
}

/** Runs a command from the Command Palette by its title. */
async function palette(page, title) {
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget input', { timeout: 15000 });
  await page.keyboard.type(title);
  await sleep(800);
  await page.keyboard.press('Enter');
}

/** Moves the cursor with Go to Line (Ctrl+G "line:column", 1-based). */
async function goTo(page, line, column) {
  await page.keyboard.press('Control+G');
  await page.waitForSelector('.quick-input-widget input', { timeout: 15000 });
  await page.keyboard.type(`${line}:${column}`);
  await page.keyboard.press('Enter');
  await sleep(400);
}

/** The Exposure view with inlay hints and code lenses, a snippet quick fix, completion in nftables. */
async function editorShots(page) {
  await quickOpen(page, 'rules.v4');
  await page.waitForSelector('.monaco-editor .squiggly-error', { timeout: 30000 });
  await page.waitForSelector('.monaco-editor .codelens-decoration', { timeout: 30000 });
  await palette(page, 'Portcullis: Show Exposure');
  const firstRow = '.monaco-list-row[aria-level="2"][aria-label^="TCP"]';
  await page.waitForSelector(firstRow, { timeout: 20000 });
  // Open the worst row: its sources and the rule that decides it.
  await page.click(firstRow);
  await page.keyboard.press('ArrowRight');
  await sleep(1500);
  await page.screenshot({ path: path.join(OUT, 'exposure.png') });
  log('wrote docs/images/exposure.png');

  await page.keyboard.press('Control+J'); // hide the panel: the editor with its hints and lenses
  await page.mouse.click(900, 400);
  await sleep(1000);
  await page.screenshot({ path: path.join(OUT, 'inlay-hints.png') });
  log('wrote docs/images/inlay-hints.png');

  // "Restrict the source" is the preferred fix: Auto Fix applies it, and the network placeholder is selected.
  const lines = SAMPLE.split('\n');
  const li = lines.findIndex((l) => l.includes('--dport 3389'));
  await goTo(page, li + 1, lines[li].indexOf('3389') + 2);
  await page.keyboard.press('Control+.');
  await page.waitForSelector('.action-widget', { timeout: 15000 });
  await sleep(800);
  await page.keyboard.press('Enter');
  await sleep(1500);
  await page.screenshot({ path: path.join(OUT, 'snippet-fix.png') });
  log('wrote docs/images/snippet-fix.png');
  await page.keyboard.press('Escape');

  // Completion after `tcp dport ` in nftables: common services first, with their documentation.
  await quickOpen(page, 'web.nft');
  await sleep(1000);
  const nl = NFT_SAMPLE.split('\n');
  const at = nl.findIndex((l) => l.includes('tcp dport $web'));
  await goTo(page, at + 1, nl[at].length + 1);
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  await page.keyboard.type('tcp dport ');
  await page.keyboard.press('Control+Space');
  await page.waitForSelector('.suggest-widget.visible', { timeout: 15000 });
  await sleep(600);
  // Show the documentation beside the list when it is folded away.
  if (!(await page.$('.suggest-details-container .suggest-details:not(.no-docs)'))) await page.keyboard.press('Control+Space');
  await sleep(1200);
  await page.screenshot({ path: path.join(OUT, 'completion.png') });
  log('wrote docs/images/completion.png');
  await page.keyboard.press('Escape');
}

async function classicShots(page) {
  // Open rules.v4 through Quick Open.
  await quickOpen(page, 'rules.v4');
  await page.waitForSelector('.monaco-editor .view-lines', { timeout: 20000 });
  await page.waitForSelector('.monaco-editor .squiggly-error', { timeout: 30000 });
  await page.keyboard.press('Control+Shift+M'); // Problems panel
  await page.waitForSelector('.markers-panel .monaco-list-row', { timeout: 15000 });
  await page.mouse.click(700, 120); // focus back on the editor, away from the text
  await sleep(1200);
  await page.screenshot({ path: path.join(OUT, 'diagnostics.png') });
  log('wrote docs/images/diagnostics.png');

  // Hover on 3389: go to the token with Go to Line (Ctrl+G "line:column"), then show the hover from the keyboard
  // (Ctrl+K Ctrl+I) — deterministic, and it looks the same as a mouse hover.
  await page.keyboard.press('Control+J'); // hide the panel: room for the hover
  await sleep(300);
  const lines = SAMPLE.split('\n');
  const li = lines.findIndex((l) => l.includes('--dport 3389'));
  await page.keyboard.press('Control+G');
  await page.waitForSelector('.quick-input-widget input', { timeout: 15000 });
  await page.keyboard.type(`${li + 1}:${lines[li].indexOf('3389') + 2}`);
  await page.keyboard.press('Enter');
  await sleep(500);
  await page.keyboard.press('Control+K');
  await page.keyboard.press('Control+I');
  await page.waitForSelector('.monaco-hover:not(.hidden) .hover-contents', { state: 'visible', timeout: 15000 });
  // The hover lists the line's diagnostics first; focus it (Ctrl+K Ctrl+I again) and scroll to the port text.
  await page.keyboard.press('Control+K');
  await page.keyboard.press('Control+I');
  await sleep(300);
  await page.keyboard.press('PageDown');
  await sleep(1000);
  await page.screenshot({ path: path.join(OUT, 'hover.png') });
  log('wrote docs/images/hover.png');

  // Probe: open web1.rules, run "Portcullis: Probe Ports on Host…" from the Command Palette on 127.0.0.1 with the
  // file's ports, and show the results view beside the drift diagnostics.
  await page.keyboard.press('Escape');
  await quickOpen(page, 'web1.rules');
  await sleep(1500);
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget input', { timeout: 15000 });
  await page.keyboard.type('Portcullis: Probe Ports on Host');
  await sleep(800);
  await page.keyboard.press('Enter');
  await sleep(800);
  await page.keyboard.type('127.0.0.1');
  await sleep(400);
  await page.keyboard.press('Enter'); // target
  await sleep(800);
  await page.keyboard.press('Enter'); // "Ports this file lists"
  await page.waitForSelector('.monaco-editor .squiggly-warning', { timeout: 30000 });
  await page.waitForSelector('.monaco-list-row[aria-label*="/tcp"]', { timeout: 15000 }); // the results view
  await page.mouse.click(900, 300); // focus back on the editor
  await sleep(1500);
  await page.screenshot({ path: path.join(OUT, 'probe.png') });
  log('wrote docs/images/probe.png');
}

main().catch((e) => { process.stderr.write(`screenshots: ${e.stack || e}\n`); process.exit(1); });
