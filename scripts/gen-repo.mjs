// A generated repository for `portcullis check` at scale: N files (default 1,000) drawn with a seeded random
// generator from the corpus files a directory walk recognises, so the mix of formats and the sizes follow the
// corpus; every format is present at least once. A file keeps its corpus path, under copy-<k>/ for its k-th
// draw, so the tree looks like a few copies of the corpus and every file is recognised as in the corpus (names
// such as user.rules, firewalld/zones/*.xml, Dockerfile matter; the generator checks it).
//   node scripts/gen-repo.mjs [--seed N] [--count N] [DIR]   prints the directory and a summary
// Uses the compiled sources in out/ (npx tsc -p .) to recognise formats.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CORPUS = path.resolve(REPO, '../shared/corpus');

/** mulberry32: small, seeded, good enough to pick files. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Corpus files by format id, as `portcullis check <corpus>` would recognise them. */
function formatOf() {
  if (!fs.existsSync(path.join(REPO, 'out/server/src/pipeline.js'))) execFileSync('npx', ['tsc', '-p', REPO], { stdio: 'inherit' });
  const { resolveFormat } = require(path.join(REPO, 'out/server/src/pipeline.js'));
  const { readHead } = require(path.join(REPO, 'out/server/src/io/read-file.js'));
  const { HEAD_BYTES } = require(path.join(REPO, 'out/server/src/formats/registry.js'));
  return (p) => resolveFormat(p, undefined, () => readHead(p, HEAD_BYTES))?.id;
}

function corpusByFormat(format) {
  const byFormat = new Map();
  const visit = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) visit(p);
      else if (e.isFile()) {
        const id = format(p);
        if (!id) continue;
        if (!byFormat.has(id)) byFormat.set(id, []);
        byFormat.get(id).push({ rel: path.relative(CORPUS, p), size: fs.statSync(p).size, format: id });
      }
    }
  };
  visit(CORPUS);
  return byFormat;
}

/** Writes the repository into `dir` and returns what it holds. */
export function generateRepo(dir, { seed = 1, count = 1000 } = {}) {
  const format = formatOf();
  const byFormat = corpusByFormat(format);
  const pool = [...byFormat.values()].flat();
  const next = random(seed);
  // One of each format first, then draws from the whole pool (its format mix and size distribution).
  const picks = [...byFormat.values()].map((files) => files[Math.floor(next() * files.length)]);
  while (picks.length < count) picks.push(pool[Math.floor(next() * pool.length)]);
  picks.length = count;
  const copies = new Map();
  for (const f of picks) {
    const k = (copies.get(f.rel) ?? 0) + 1;
    copies.set(f.rel, k);
    const to = path.join(dir, `copy-${k}`, f.rel);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(path.join(CORPUS, f.rel), to);
    if (format(to) !== f.format) throw new Error(`${to} is not recognised as ${f.format}`);
  }
  const formats = {};
  for (const f of picks) formats[f.format] = (formats[f.format] ?? 0) + 1;
  const sizes = picks.map((f) => f.size).sort((a, b) => a - b);
  const at = (q) => sizes[Math.min(sizes.length - 1, Math.floor(q * sizes.length))];
  return { dir, files: count, bytes: sizes.reduce((a, b) => a + b, 0), p50: at(0.5), p90: at(0.9), max: at(1), formats };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const last = process.argv.at(-1);
  const dir = process.argv.length > 2 && !last.startsWith('--') && !/^\d+$/.test(last) ? last : fs.mkdtempSync(path.join(os.tmpdir(), 'pc-repo-'));
  console.log(JSON.stringify(generateRepo(dir, { seed: arg('--seed', 1), count: arg('--count', 1000) }), null, 2));
}
