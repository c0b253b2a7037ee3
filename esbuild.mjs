// Bundles the extension client, the language server and the CLI into dist/.
// `node esbuild.mjs --watch` rebuilds on change.
import * as fs from 'node:fs';
import * as esbuild from 'esbuild';
import { writeIanaTable } from './scripts/gen-iana.mjs';

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

const builds = [
  { entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  // A small young generation keeps the server's resident memory low on large rulesets at no measurable cost
  // in speed; `env -S` passes the flag when an editor runs the bin directly.
  { entryPoints: ['server/src/server.ts'], outfile: 'dist/server.js', banner: { js: '#!/usr/bin/env -S node --max-semi-space-size=2' } },
  { entryPoints: ['server/src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  // `portcullis check` analyses many files on these worker threads (server/src/cli/check-pool.ts).
  { entryPoints: ['server/src/cli/check-worker.ts'], outfile: 'dist/check-worker.js' },
  // The server analyses large documents in this worker thread (server/src/scheduling/worker-pool.ts).
  { entryPoints: ['server/src/scheduling/analysis-worker.ts'], outfile: 'dist/analysis-worker.js' },
];

fs.mkdirSync('dist', { recursive: true });
writeIanaTable('dist/iana-services.tsv');

if (process.argv.includes('--watch')) {
  for (const b of builds) await (await esbuild.context({ ...common, ...b })).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build({ ...common, ...b })));
  for (const f of ['dist/server.js', 'dist/cli.js']) fs.chmodSync(f, 0o755);
}
