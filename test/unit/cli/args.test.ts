/** The CLI's options as CI scripts type them: strict per command, validated values, clear exit-2 messages. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import test from 'node:test';
import { REPO } from '../../support/corpus';

const CLI = path.join(REPO, 'dist/cli.js');
const SAMPLE = path.join(REPO, 'test/fixtures/samples/web-server.rules');
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: REPO, timeout: 30_000 });

function usageError(args: string[], message: RegExp): void {
  const r = run(...args);
  assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
  assert.equal(r.stdout, '', `${args.join(' ')} printed results: ${r.stdout.slice(0, 200)}`);
  assert.match(r.stderr, message, args.join(' '));
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'stack trace');
}

test('a misspelt or unknown option is an error naming it, with a suggestion', () => {
  usageError(['check', '--fromat', 'json', SAMPLE], /unknown option --fromat for `portcullis check` \(did you mean --format\?\)/);
  usageError(['check', '--min-severty', 'error', SAMPLE], /unknown option --min-severty .*did you mean --min-severity\?/);
  usageError(['exposure', '--min-severity', 'error', SAMPLE], /unknown option --min-severity for `portcullis exposure`/);
  usageError(['probe', '127.0.0.1', '--port', '22'], /unknown option --port .*did you mean --ports\?/);
  usageError(['check', '--format'], /option --format needs a value/);
  usageError(['check', '--verbose=yes', SAMPLE], /option --verbose takes no value/);
});

test('enums are checked: --min-severity constructor and --format xml are rejected', () => {
  usageError(
    ['check', '--min-severity', 'constructor', SAMPLE],
    /--min-severity must be error, warning, information or hint, not `constructor`/,
  );
  usageError(['check', '--min-severity', '__proto__', SAMPLE], /--min-severity must be/);
  usageError(['check', '--format', 'xml', SAMPLE], /--format must be text, json or sarif, not `xml`/);
  usageError(['exposure', '--format', 'sarif', SAMPLE], /--format must be text or json, not `sarif`/);
  usageError(['check', '--language', 'ufw2', SAMPLE], /--language must be iptables, nftables, pf, firewalld, .*not `ufw2`/);
});

test('numeric probe options are whole numbers in range; a huge --timeout no longer overflows to 1 ms', () => {
  usageError(
    ['probe', '127.0.0.1', '--ports', '22', '--timeout', '99999999999'],
    /--timeout must be a whole number from 10 to 600000, not `99999999999`/,
  );
  usageError(['probe', '127.0.0.1', '--ports', '22', '--timeout', '1e3'], /--timeout must be a whole number/);
  usageError(['probe', '127.0.0.1', '--ports', '22', '--concurrency', '0'], /--concurrency must be a whole number from 1 to 1000/);
  usageError(['probe', '127.0.0.1', '--ports', '22', '--retries', '-1'], /--retries|option/);
  usageError(['probe', '127.0.0.1', '--ports', '22', '--retries', '9'], /--retries must be a whole number from 0 to 5/);
});

test('--verbose is a flag: `--verbose FILE` checks FILE', () => {
  const r = run('check', '--verbose', SAMPLE);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /web-server\.rules:11:25: error PC101/);
  assert.match(r.stdout, /^1 file checked, /m);
});

test('--format json honours --min-severity and ends with skipped entries and a summary', () => {
  const r = run('check', '--format', 'json', '--min-severity', 'error', path.join(REPO, 'test/fixtures/samples'));
  const json = JSON.parse(r.stdout) as {
    files: { findings: { severity: string }[] }[];
    skipped: unknown[];
    summary: { checked: number; findings: number };
  };
  assert.equal(json.summary.checked, json.files.length);
  const all = json.files.flatMap((f) => f.findings);
  assert.ok(all.length > 0);
  assert.ok(
    all.every((f) => f.severity === 'error'),
    JSON.stringify(all.map((f) => f.severity)),
  );
  assert.equal(json.summary.findings, all.length);
});

test('--config FILE reads FILE itself; a missing one is a usage error', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-config-'));
  try {
    const config = path.join(dir, 'ci-settings.json');
    fs.writeFileSync(config, JSON.stringify({ severity: { PC101: 'off', PC102: 'off', PC004: 'off' } }));
    // A .portcullis.json beside the config must not be the one read.
    fs.writeFileSync(path.join(dir, '.portcullis.json'), JSON.stringify({ severity: { PC101: 'hint' } }));
    const r = run('check', '--config', config, SAMPLE);
    assert.doesNotMatch(r.stdout, /PC101|PC102|PC004/);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    usageError(['check', '--config', path.join(dir, 'missing.json'), SAMPLE], /--config .*missing\.json: no such file or directory/);
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
});

test('a broken config is exit 2 with the file, position and key; wrong types are not ignored', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-config-'));
  try {
    fs.copyFileSync(SAMPLE, path.join(dir, 'rules.v4'));
    const cfg = path.join(dir, '.portcullis.json');
    const cases: [string, RegExp][] = [
      ['{ "severity": { "PC101": "off" }, }', /\.portcullis\.json:1:35: not valid JSON: property name expected/],
      ['{ "trustedSources": "10.0.0.0/8" }', /\.portcullis\.json:1:21: trustedSources must be an array/],
      [
        '{\n  "severity": { "PC101": "loud" }\n}',
        /\.portcullis\.json:2:26: severity\.PC101 must be one of error, warning, information, hint, off/,
      ],
      [
        '{ "trustedSource": ["10.0.0.0/8"] }',
        /\.portcullis\.json:1:3: unknown key `trustedSource`; known keys: trustedSources, riskyPorts, severity, maxFileSize, inlayHints/,
      ],
      ['{ "riskyPorts": ["70000/tcp"] }', /riskyPorts: `70000\/tcp`: ports are 0-65535/],
      ['{ "trustedSources": ["10.0.0.0/33"] }', /trustedSources: `10\.0\.0\.0\/33` is not an address/],
    ];
    for (const [text, message] of cases) {
      fs.writeFileSync(cfg, text);
      const r = run('check', path.join(dir, 'rules.v4'));
      assert.equal(r.status, 2, `${text}: ${r.stdout}`);
      assert.match(r.stdout, message, text);
    }
    // The same file, fixed, is read and applied.
    fs.writeFileSync(
      cfg,
      JSON.stringify({ $schema: '../schemas/portcullis.schema.json', severity: { PC101: 'off', PC102: 'off', PC004: 'off' } }),
    );
    assert.equal(run('check', path.join(dir, 'rules.v4')).status, 0);
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
});
