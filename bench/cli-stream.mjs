// `portcullis check` over many files: peak resident memory (maxRSS) and time for 1,000 and 10,000 files.
// Results are written per file, so the peak should not grow with the number of files.
// `node bench/cli-stream.mjs [N...]`; uses dist/cli.js (npm run build).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(REPO, 'dist/cli.js');
const sample = fs.readFileSync(path.join(REPO, 'test/fixtures/samples/web-server.rules'), 'utf8');
const counts = process.argv.slice(2).map(Number).filter((n) => n > 0);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-stream-'));
// Reports the child's peak RSS (kB on Linux) when it exits.
const probe = path.join(tmp, 'maxrss.cjs');
fs.writeFileSync(probe, "process.on('exit', () => process.stderr.write(`maxrss ${process.resourceUsage().maxRSS}\\n`));\n");

try {
  for (const n of counts.length ? counts : [1000, 10000]) {
    const dir = path.join(tmp, `files-${n}`);
    for (let i = 0; i < n; i++) {
      const sub = path.join(dir, String(Math.floor(i / 500)));
      if (i % 500 === 0) fs.mkdirSync(sub, { recursive: true });
      // Each file differs a little, so nothing can be shared between them.
      fs.writeFileSync(path.join(sub, `host${i}.rules`), sample.replace('198.51.100.0/24', `10.${(i >> 8) & 255}.${i & 255}.0/24`));
    }
    for (const format of ['text', 'json', 'sarif']) {
      const t = performance.now();
      const r = spawnSync(process.execPath, ['-r', probe, CLI, 'check', '--format', format, dir], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', timeout: 600_000 });
      const ms = performance.now() - t;
      const kb = Number(/maxrss (\d+)/.exec(r.stderr)?.[1]);
      console.log(`check --format ${format.padEnd(5)} ${String(n).padStart(6)} files   exit ${r.status}   ${(ms / 1000).toFixed(1).padStart(6)} s   peak RSS ${(kb / 1024).toFixed(0).padStart(5)} MB`);
    }
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
