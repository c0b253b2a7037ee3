// Bundles the extension client, the language server and the CLI into dist/.
// `node esbuild.mjs --watch` rebuilds on change.
//
// The server, its analysis worker and the CLI load each format on first use (formats/registry.ts `lazyFormat`):
// every format is its own file, dist/formats/<id>.js, and the libraries only formats need (@stoplight/yaml-ast-parser,
// saxes, jsonc-parser) are shared files in dist/lib/ (named without the npm scope). A format file takes the model and io modules from the bundle that
// loaded it (`hostModules`), so a PortSet made by a parser is the same class the analysis works with.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { writeIanaTable } from './scripts/gen-iana.mjs';
import { writeConfigValidator } from './scripts/gen-config-validator.mjs';

const SRC = path.resolve('server/src');
/** Node's flags for the language server, as its bin's shebang passes them. */
const SERVER_FLAGS = JSON.parse(fs.readFileSync('server/src/node-flags.json', 'utf8')).server;
/** Libraries loaded from dist/lib/ only when a format (or the nmap import) needs them. */
const LIBS = ['@stoplight/yaml-ast-parser', 'saxes', 'jsonc-parser'];
/** dist/lib/<name>.js of a library: its npm name without the scope. */
const libFile = (lib) => lib.replace(/^@[^/]+\//, '');
/** Directories of server/src that format files share with the bundle that loads them (one copy, one class identity). */
const HOST_DIRS = ['model', 'io'];
const FORMAT_IDS = fs
  .readdirSync(path.join(SRC, 'formats'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && fs.existsSync(path.join(SRC, 'formats', d.name, 'claims.ts')))
  .map((d) => d.name);
/** Output folder: dist/, or `--outdir=DIR` (bench/activation.mjs builds the packaged bundles elsewhere). */
const OUT = (process.argv.find((a) => a.startsWith('--outdir=')) ?? '--outdir=dist').slice('--outdir='.length);
const HOST_KEY = "globalThis[Symbol.for('portcullis.hostModules')]";

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  minify: process.argv.includes('--minify'),
  logLevel: 'warning',
  // jsonc-parser's `main` is a UMD build whose dynamic requires esbuild cannot follow; its ESM build bundles.
  mainFields: ['module', 'main'],
};

/** Libraries come from dist/lib/ (`prefix` is the way there from the output file's folder). */
const externalLibs = (prefix) => ({
  name: 'external-libs',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^(${LIBS.join('|')})$`) }, (a) => ({ path: `${prefix}lib/${libFile(a.path)}.js`, external: true }));
  },
});

/** A host bundle (server, worker, CLI): formats are required from dist/formats/, and the host registers its shared modules. */
const hostPlugin = {
  name: 'portcullis-host',
  setup(b) {
    const registry = path.join(SRC, 'formats/registry.ts');
    b.onResolve({ filter: /^\.\/[a-z-]+$/ }, (a) => {
      const id = a.path.slice(2);
      return a.importer === registry && FORMAT_IDS.includes(id) ? { path: `./formats/${id}.js`, external: true } : undefined;
    });
    b.onResolve({ filter: /^portcullis-host:/ }, (a) => ({ path: a.path.slice('portcullis-host:'.length), namespace: 'portcullis-host' }));
    b.onLoad({ filter: /.*/, namespace: 'portcullis-host' }, (a) => {
      const keys = HOST_DIRS.flatMap((d) =>
        fs.readdirSync(path.join(SRC, d)).filter((f) => f.endsWith('.ts')).map((f) => `${d}/${f.slice(0, -3)}`),
      );
      const table = keys.map((k) => `  ${JSON.stringify(k)}: () => require(${JSON.stringify(`./server/src/${k}`)}),`).join('\n');
      const contents =
        `const modules = {\n${table}\n};\n` +
        `${HOST_KEY} = (key) => {\n` +
        `  if (!modules[key]) throw new Error('format bundle asks for an unknown module: ' + key);\n` +
        `  return modules[key]();\n};\n` +
        `require(${JSON.stringify(`./${a.path}`)});\n`;
      return { contents, resolveDir: path.resolve('.'), loader: 'js' };
    });
  },
};

/** A format bundle: model/ and io/ modules are the host's (see HOST_DIRS); everything else of its own is bundled. */
const formatPlugin = {
  name: 'portcullis-format',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (a) => {
      const rel = path.relative(SRC, path.resolve(a.resolveDir, a.path)).split(path.sep).join('/');
      return HOST_DIRS.includes(rel.split('/')[0]) ? { path: rel, namespace: 'host-module' } : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'host-module' }, (a) => ({
      contents: `module.exports = ${HOST_KEY}(${JSON.stringify(a.path)});`,
      loader: 'js',
    }));
  },
};

/** A bundle that loads formats lazily from dist/formats/ (`entry` is its source file). */
const host = (entry, outfile, extra = {}) => ({
  entryPoints: [`portcullis-host:${entry}`],
  outfile,
  plugins: [hostPlugin, externalLibs('./')],
  ...extra,
});

/** The extension requires the language client (client/src/language-client.ts) after activation, from its own file. */
const lazyClient = {
  name: 'lazy-language-client',
  setup(b) {
    b.onResolve({ filter: /^\.\/language-client$/ }, (a) =>
      a.kind === 'require-call' ? { path: './language-client.js', external: true } : undefined,
    );
  },
};

const builds = [
  { entryPoints: ['client/src/extension.ts'], outfile: `${OUT}/extension.js`, external: ['vscode'], plugins: [lazyClient] },
  { entryPoints: ['client/src/language-client.ts'], outfile: `${OUT}/language-client.js`, external: ['vscode'] },
  // The server's node flags (server/src/node-flags.json); `env -S` passes them when an editor runs the bin directly.
  host('server/src/server.ts', `${OUT}/server.js`, { banner: { js: `#!/usr/bin/env -S node ${SERVER_FLAGS.join(' ')}` } }),
  // The CLI bundle, and the executable that runs it with V8's code cache (server/src/cli/start.ts, writeCodeCache below).
  host('server/src/cli.ts', `${OUT}/cli-main.js`),
  { entryPoints: ['server/src/cli/start.ts'], outfile: `${OUT}/cli.js`, banner: { js: '#!/usr/bin/env node' } },
  // `portcullis check` analyses many files on these worker threads (server/src/cli/check-pool.ts).
  host('server/src/cli/check-worker.ts', `${OUT}/check-worker.js`),
  // The server analyses large documents in this worker thread (server/src/scheduling/worker-pool.ts).
  host('server/src/scheduling/analysis-worker.ts', `${OUT}/analysis-worker.js`),
  ...FORMAT_IDS.map((id) => ({
    entryPoints: [`server/src/formats/${id}/index.ts`],
    outfile: `${OUT}/formats/${id}.js`,
    plugins: [formatPlugin, externalLibs('../')],
  })),
  ...LIBS.map((lib) => ({
    stdin: { contents: `export * from '${lib}';`, resolveDir: path.resolve('.'), sourcefile: `${lib}.js` },
    outfile: `${OUT}/lib/${libFile(lib)}.js`,
  })),
];

fs.mkdirSync(OUT, { recursive: true });
writeConfigValidator();
writeIanaTable(`${OUT}/iana-services.tsv`);

if (process.argv.includes('--watch')) {
  for (const b of builds) await (await esbuild.context({ ...common, ...b })).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build({ ...common, ...b })));
  for (const f of ['server.js', 'cli.js']) fs.chmodSync(path.join(OUT, f), 0o755);
  writeCodeCache();
}

/**
 * dist/cli-main.js.cache: the bytecode of the CLI bundle's functions as a check of a sample ruleset compiles them,
 * for start.ts to load instead of compiling. A watch rebuild leaves it stale, and start.ts then ignores it.
 */
function writeCodeCache() {
  const sample = path.resolve('test/fixtures/samples/web-server.rules');
  const run = spawnSync(process.execPath, [path.join(OUT, 'cli.js'), 'check', '--format', 'json', sample], {
    env: { ...process.env, PORTCULLIS_WRITE_CODE_CACHE: '1' },
    stdio: 'ignore',
  });
  if (run.status !== 0 && run.status !== 1) console.warn(`esbuild.mjs: no code cache for the CLI (sample check exited ${run.status})`);
}
