/**
 * Another editor: Debian's headless Neovim runs the bundled language server over stdio with the Lua config in
 * test/editors/neovim/init.lua and reports the diagnostics and the hover it received. Skips with a message when
 * nvim or dist/server.js is missing (scripts/setup-test-deps.sh installs neovim; `node esbuild.mjs` builds).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { REPO } from '../../support/corpus';

const RULES = [
  '*filter',
  ':INPUT DROP [0:0]',
  ':FORWARD DROP [0:0]',
  ':OUTPUT ACCEPT [0:0]',
  '-A INPUT -i lo -j ACCEPT',
  '-A INPUT -p tcp --dport 3389 -j ACCEPT',
  'COMMIT',
  '',
].join('\n');

function nvimPath(): string | undefined {
  const r = spawnSync('nvim', ['--version'], { encoding: 'utf8', timeout: 10000 });
  return r.status === 0 ? 'nvim' : undefined;
}

test('Neovim (vim.lsp, headless): diagnostics and hover from portcullis-language-server --stdio', (t) => {
  const server = path.join(REPO, 'dist', 'server.js');
  if (!nvimPath()) return t.skip('nvim not installed (scripts/setup-test-deps.sh installs Debian neovim)');
  if (!fs.existsSync(server)) return t.skip('dist/server.js missing: run node esbuild.mjs');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-nvim-'));
  try {
    const file = path.join(dir, 'rules.v4');
    fs.writeFileSync(file, RULES);
    const out = path.join(dir, 'result.json');
    const r = spawnSync('nvim', ['--headless', '-n', '-i', 'NONE', '-u', path.join(REPO, 'test', 'editors', 'neovim', 'init.lua')], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60000, // every wait inside is bounded at 15 s; this bounds nvim itself
      killSignal: 'SIGKILL',
      env: {
        ...process.env,
        PORTCULLIS_NVIM_OUT: out,
        PORTCULLIS_SERVER: server,
        PORTCULLIS_FILE: file,
        XDG_CONFIG_HOME: path.join(dir, 'config'),
        XDG_DATA_HOME: path.join(dir, 'data'),
        XDG_STATE_HOME: path.join(dir, 'state'),
        XDG_CACHE_HOME: path.join(dir, 'cache'),
      },
    });
    assert.ok(fs.existsSync(out), `nvim wrote no result (status ${r.status}, signal ${r.signal}): ${r.stdout}${r.stderr}`);
    const res = JSON.parse(fs.readFileSync(out, 'utf8')) as {
      nvim: string;
      error?: string;
      got_diagnostics: boolean;
      diagnostics: { code?: string; message: string; source?: string; line: number; text: string }[];
      hover?: string;
    };
    assert.equal(res.error, undefined, `error inside nvim ${res.nvim}: ${res.error}`);
    assert.ok(res.got_diagnostics, `no diagnostics within 15 s (nvim ${res.nvim})`);
    const pc101 = res.diagnostics.find((d) => d.code === 'PC101');
    assert.ok(pc101, `PC101 among ${JSON.stringify(res.diagnostics)}`);
    assert.equal(pc101.line, 5);
    assert.equal(pc101.text, '3389');
    assert.match(pc101.message, /RDP/);
    assert.ok(res.hover, 'a hover on 3389');
    assert.match(res.hover, /3389/);
    assert.match(res.hover, /RDP/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
