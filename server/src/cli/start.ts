/**
 * The `portcullis` executable (dist/cli.js): runs the command line bundle, dist/cli-main.js, compiled with V8's code
 * cache, dist/cli-main.js.cache, which esbuild.mjs writes after a sample run. The cache holds the bytecode of every
 * function that run compiled, so a run does not compile them again (about 30 ms of CPU, a sixth of a small check). The
 * cache names the hash of the source it was made from; a cache of another source is not used, one of another node
 * is rejected by V8, and without one the bundle is compiled as usual.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

/**
 * V8 tuned for a short batch run, where the user did not choose otherwise:
 * - A shorter inlining budget for the optimising compiler. Its threads, inlining whole analysis call trees into
 *   functions such as the exposure walk's loop, used more CPU than the analysis itself (one tum-net check: 0.8 s beside
 *   the main thread's 0.7 s; 1,000 files: 7.5 s beside 6 s). At 200 bytecodes (V8's default 920) they use a third
 *   less, and the main thread is no slower.
 * - The old generation grown by a fixed factor of 2. V8's own factor grows it up to 4× what survived while the program
 *   allocates fast, which a check over many files always does: the heap reached 250 MB before a full collection
 *   found 60-80 MB alive (peak RSS 300-390 MB). With the fixed factor it was 190-300 MB, at no cost in CPU.
 */
const FLAGS = ['--max-inlined-bytecode-size-cumulative=200', '--heap-growing-percent=100'];
const chosen = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' ');
for (const flag of FLAGS) if (!chosen.includes(flag.slice(0, flag.indexOf('=')))) v8.setFlagsFromString(flag);

const MAIN = path.join(__dirname, 'cli-main.js');
const CACHE = `${MAIN}.cache`;
const HASH_BYTES = 20;

const source = fs.readFileSync(MAIN, 'utf8');
const hash = createHash('sha1').update(source).digest();
let cachedData: Buffer | undefined;
try {
  const file = fs.readFileSync(CACHE);
  if (hash.equals(file.subarray(0, HASH_BYTES))) cachedData = file.subarray(HASH_BYTES);
} catch {
  // No cache: compiled as usual.
}
const script = new vm.Script(Module.wrap(source.replace(/^#!.*/, '')), { filename: MAIN, cachedData });
// esbuild.mjs asks for the cache after a sample run, when the functions that run needed are compiled.
if (process.env.PORTCULLIS_WRITE_CODE_CACHE === '1')
  process.on('exit', () => fs.writeFileSync(CACHE, Buffer.concat([hash, script.createCachedData()])));
const mod = new Module(MAIN);
mod.filename = MAIN;
mod.loaded = true;
script.runInThisContext()(mod.exports, Module.createRequire(MAIN), mod, MAIN, __dirname);
