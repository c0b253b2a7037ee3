#!/usr/bin/env node
// Cloud formats: parse + analysis (median of 7) of the largest Terraform, CloudFormation and ARM corpus files
// and of generated 2,000-rule Terraform files, and the bundled server's cold start to diagnostics with a .tf
// file open. Needs a build (npx tsc -p . and node esbuild.mjs). Usage: node bench/cloud.mjs
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyseText, corpus, formatById, median, root, settings, startServer } from './lib.mjs';

function measure(id, file, text) {
  const format = formatById(id);
  const parse = [];
  const full = [];
  let fa;
  for (let k = 0; k < 7; k++) {
    let t0 = process.hrtime.bigint();
    format.parse(text, { path: file, resolveService: () => undefined });
    parse.push(Number(process.hrtime.bigint() - t0) / 1e6);
    t0 = process.hrtime.bigint();
    fa = analyseText(text, format, file, settings);
    full.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const rules = fa.ruleset.tables.flatMap((t) => t.chains).reduce((n, c) => n + c.rules.length, 0);
  return { format: id, file, KB: (text.length / 1024).toFixed(0), rules, findings: fa.findings.length, 'parse ms': median(parse).toFixed(1), 'parse+analyse ms': median(full).toFixed(1) };
}

const rows = [];
if (fs.existsSync(corpus)) {
  const largest = (dir, re) => {
    const d = path.join(corpus, dir);
    return fs.readdirSync(d).filter((f) => re.test(f)).map((f) => path.join(d, f)).sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
  };
  for (const [id, dir, re] of [['terraform', 'terraform', /\.tf$/], ['cloudformation', 'cloudformation', /\.(ya?ml|json)$/], ['azure-arm', 'azure-arm', /\.json$/]]) {
    const f = largest(dir, re);
    rows.push({ ...measure(id, f, fs.readFileSync(f, 'utf8')), file: path.relative(corpus, f) });
  }
} else console.log(`corpus not found at ${corpus}: generated files only`);

// Generated: 2,000 standalone AWS rules on 10 groups, and one Azure NSG with 2,000 prioritised rules.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-bench-'));
const aws = Array.from({ length: 10 }, (_, g) => `resource "aws_security_group" "g${g}" {\n  name = "g${g}"\n}\n`).join('') +
  Array.from({ length: 2000 }, (_, i) => `resource "aws_security_group_rule" "r${i}" {\n  type              = "ingress"\n  from_port         = ${1000 + i}\n  to_port           = ${1000 + i}\n  protocol          = "tcp"\n  cidr_blocks       = ["10.${i % 250}.${i % 200}.0/24", "${i % 97 === 0 ? '0.0.0.0/0' : '192.0.2.0/24'}"]\n  security_group_id = aws_security_group.g${i % 10}.id\n}\n`).join('');
const nsg = `resource "azurerm_network_security_group" "big" {\n  name = "big"\n` + Array.from({ length: 2000 }, (_, i) => `  security_rule {\n    name                       = "r${i}"\n    priority                   = ${100 + i}\n    direction                  = "Inbound"\n    access                     = "${i % 5 === 0 ? 'Deny' : 'Allow'}"\n    protocol                   = "Tcp"\n    source_port_range          = "*"\n    destination_port_range     = "${1000 + (i % 500)}-${1100 + (i % 500)}"\n    source_address_prefix      = "${i % 3 === 0 ? '*' : `10.${i % 250}.0.0/16`}"\n    destination_address_prefix = "*"\n  }\n`).join('') + '}\n';
for (const [name, text] of [['generated-2000-aws-rules.tf', aws], ['generated-2000-nsg-rules.tf', nsg]]) {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, text);
  rows.push(measure('terraform', name, text));
}
console.table(rows);

// The bundled server, cold: spawn → initialize → open a .tf → diagnostics published.
const server = path.join(root, 'dist/server.js');
if (fs.existsSync(server) && rows.length) {
  const file = path.join(tmp, 'generated-2000-aws-rules.tf');
  const t0 = performance.now();
  const { conn, diagnostics, stop } = await startServer(process.execPath, [server, '--stdio']);
  const tInit = performance.now();
  await conn.sendNotification('textDocument/didOpen', { textDocument: { uri: pathToFileURL(file).href, languageId: 'terraform', version: 1, text: aws } });
  const d = await diagnostics(60_000);
  const tDiag = performance.now();
  console.log(`server cold start: spawn → initialize ${(tInit - t0).toFixed(0)} ms; → diagnostics for a 2,000-rule .tf ${(tDiag - t0).toFixed(0)} ms (${d.diagnostics.length} diagnostics)`);
  await stop();
}
fs.rmSync(tmp, { recursive: true, force: true });
