/** Terraform, CloudFormation and ARM through the real server over stdio: exact tokens, hover, quick fixes. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { CodeAction, Diagnostic, Hover, TextEdit } from 'vscode-languageserver-protocol';
import { REPO } from '../support/corpus';
import { LspClient } from '../support/lsp-client';

let client: LspClient;
before(async () => {
  assert.ok(fs.existsSync(path.join(REPO, 'dist/server.js')), 'run `node esbuild.mjs` first (npm test does)');
  client = new LspClient();
  await client.initialize();
});
after(() => client.close());

/** Applies non-overlapping edits, last first. */
function apply(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  let out = text;
  for (const e of [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start)))
    out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}
const tokenOf = (text: string, d: Diagnostic) => text.split('\n')[d.range.start.line].slice(d.range.start.character, d.range.end.character);

const TF = `resource "aws_security_group" "web" {
  name = "web"

  ingress {
    description = "RDP"
    from_port   = 3389
    to_port     = 3389
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`;

test('Terraform: PC101 on the from_port token inside the ingress block, hover with the verdict, restrict-source fix that clears it', async () => {
  const uri = 'file:///tmp/portcullis-lsp-cloud/main.tf';
  await client.open(uri, TF, 'terraform');
  const d = await client.diagnostics(uri, (x) => x.some((y) => y.code === 'PC101'));
  const rdp = d.find((x) => x.code === 'PC101')!;
  assert.deepEqual(rdp.range, { start: { line: 5, character: 18 }, end: { line: 5, character: 22 } });
  assert.equal(tokenOf(TF, rdp), '3389');
  assert.equal(rdp.severity, 1);
  assert.match(
    rdp.message,
    /RDP .* TCP 3389, is reachable from any IPv4 address through aws_security_group\.web\/ingress\[0\] in chain aws_security_group\.web/,
  );
  const h = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 5, character: 20 } });
  const md = (h.contents as { value: string }).value;
  assert.match(md, /Port 3389/);
  assert.match(md, /RDP/);
  assert.match(md, /reachable from any IPv4 address through this rule \(chain aws_security_group\.web\)/);
  const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
    textDocument: { uri },
    range: rdp.range,
    context: { diagnostics: [rdp] },
  });
  const restrict = actions.find((a) => a.title.startsWith('Restrict the source'));
  assert.ok(restrict, actions.map((a) => a.title).join(' | '));
  assert.ok(!actions.some((a) => a.title.startsWith('Change ACCEPT')), 'security groups have no deny: no verdict fix');
  const fixed = apply(TF, restrict.edit!.changes![uri]);
  assert.match(fixed, /cidr_blocks = \["192\.0\.2\.0\/24"\]/);
  const suppress = actions.find((a) => a.title.startsWith('Suppress PC101'))!;
  assert.match(apply(TF, suppress.edit!.changes![uri]), /\n {4}# portcullis-ignore PC101: reason\n {4}from_port {3}= 3389/);
  const u2 = 'file:///tmp/portcullis-lsp-cloud/fixed.tf';
  await client.open(u2, fixed, 'terraform');
  const after = await client.diagnostics(u2);
  assert.ok(!after.some((x) => x.code === 'PC101'), JSON.stringify(after.map((x) => x.message)));
});

test('Terraform GCP: a rule without source_ranges is open to 0.0.0.0/0; the fix adds source_ranges; deny instead of allow', async () => {
  const text = `resource "google_compute_firewall" "rdp" {\n  name    = "rdp"\n  network = "default"\n  allow {\n    protocol = "tcp"\n    ports    = ["3389"]\n  }\n}\n`;
  const uri = 'file:///tmp/portcullis-lsp-cloud/gcp.tf';
  await client.open(uri, text, 'terraform');
  const d = await client.diagnostics(uri, (x) => x.some((y) => y.code === 'PC101'));
  const rdp = d.find((x) => x.code === 'PC101')!;
  assert.equal(tokenOf(text, rdp), '"3389"');
  const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
    textDocument: { uri },
    range: rdp.range,
    context: { diagnostics: [rdp] },
  });
  const restrict = actions.find((a) => a.title.startsWith('Restrict the source'))!;
  assert.match(apply(text, restrict.edit!.changes![uri]), /\{\n {2}source_ranges = \["192\.0\.2\.0\/24"\]\n {2}name/);
  const deny = actions.find((a) => a.title === 'Change ACCEPT to DROP')!;
  assert.match(apply(text, deny.edit!.changes![uri]), /\n {2}deny \{\n/);
});

test('CloudFormation YAML (language yaml) is recognised by content; PC101 on FromPort; a compose file is left alone', async () => {
  const text = `AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  WebSG:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: web\n      SecurityGroupIngress:\n        - IpProtocol: tcp\n          FromPort: 3389\n          ToPort: 3389\n          CidrIp: 0.0.0.0/0\n        - IpProtocol: tcp\n          FromPort: 22\n          ToPort: 22\n          CidrIpv6: "::/0"\n`;
  const uri = 'file:///tmp/portcullis-lsp-cloud/stack.yaml';
  await client.open(uri, text, 'yaml');
  const d = await client.diagnostics(uri, (x) => x.some((y) => y.code === 'PC101'));
  const rdp = d.find((x) => x.code === 'PC101')!;
  assert.equal(tokenOf(text, rdp), '3389');
  assert.match(rdp.message, /any IPv4 address through chain WebSG/);
  const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
    textDocument: { uri },
    range: rdp.range,
    context: { diagnostics: [rdp] },
  });
  const restrict = actions.find((a) => a.title.startsWith('Restrict the source'))!;
  assert.match(apply(text, restrict.edit!.changes![uri]), /FromPort: 3389\n {10}ToPort: 3389\n {10}CidrIp: 192\.0\.2\.0\/24\n/);
  // An IPv6-only rule is never given an IPv4 placeholder: that would admit addresses it did not admit before.
  const ssh = d.find((x) => x.code === 'PC101' && /SSH/.test(x.message))!;
  assert.match(ssh.message, /any IPv6 address/);
  const sshActions = await client.request<CodeAction[]>('textDocument/codeAction', {
    textDocument: { uri },
    range: ssh.range,
    context: { diagnostics: [ssh] },
  });
  // It gets the IPv6 documentation prefix instead, which does narrow ::/0.
  const sshRestrict = sshActions.find((a) => a.title.startsWith('Restrict the source'));
  assert.ok(sshRestrict, sshActions.map((a) => a.title).join(' | '));
  assert.match(apply(text, sshRestrict.edit!.changes![uri]), /CidrIpv6: "?2001:db8::\/32"?/);
  const compose = 'file:///tmp/portcullis-lsp-cloud/compose.yaml';
  await client.open(compose, 'services:\n  web:\n    image: nginx\n    ports: ["3389:3389"]\n', 'yaml');
  const none = await client.diagnostics(compose, () => true, 1500).catch(() => []);
  // Read as compose (its own format), never as a CloudFormation template.
  assert.ok(!none.some((x) => x.code === 'PC101' && !/through compose service web/.test(x.message)), 'not a CloudFormation template');
});

test('ARM (language json): NSG rule diagnosed on its port, Allow → Deny fix narrows it', async () => {
  const text = JSON.stringify(
    {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      resources: [
        {
          type: 'Microsoft.Network/networkSecurityGroups',
          name: 'nsg1',
          properties: {
            securityRules: [
              {
                name: 'Rule3',
                properties: {
                  priority: 100,
                  direction: 'Inbound',
                  access: 'Allow',
                  protocol: 'Tcp',
                  destinationPortRange: '3389',
                  sourceAddressPrefix: 'Internet',
                },
              },
            ],
          },
        },
      ],
    },
    null,
    2,
  );
  const uri = 'file:///tmp/portcullis-lsp-cloud/nsg.json';
  await client.open(uri, text, 'json');
  const d = await client.diagnostics(uri, (x) => x.some((y) => y.code === 'PC101'));
  const rdp = d.find((x) => x.code === 'PC101')!;
  assert.equal(tokenOf(text, rdp), '"3389"');
  assert.match(rdp.message, /nsg1\/Rule3 in chain nsg1/);
  const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
    textDocument: { uri },
    range: rdp.range,
    context: { diagnostics: [rdp] },
  });
  const deny = actions.find((a) => a.title === 'Change ACCEPT to DROP')!;
  const fixed = apply(text, deny.edit!.changes![uri]);
  assert.match(fixed, /"access": "Deny"/);
  const u2 = 'file:///tmp/portcullis-lsp-cloud/nsg-fixed.json';
  await client.open(u2, fixed, 'json');
  const after = await client.diagnostics(u2);
  assert.ok(!after.some((x) => x.code === 'PC101'));
});

const WIDE = `resource "aws_security_group" "all" {
  ingress {
    from_port   = 0
    to_port     = 65535
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "azurerm_network_security_group" "nsg" {
  name = "nsg1"
  security_rule {
    name                       = "wide"
    priority                   = 100
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "1-65535"
    source_address_prefix      = "*"
    destination_address_prefix = "*"
  }
}
`;

test('Terraform: "Narrow the port range" on PC102 turns 0-65535 and "1-65535" into one port, typed once, and clears the finding', async () => {
  const uri = 'file:///tmp/portcullis-lsp-cloud/wide.tf';
  await client.open(uri, WIDE, 'terraform');
  const d = await client.diagnostics(uri, (x) => x.filter((y) => y.code === 'PC102').length === 2);
  const [aws, nsg] = d.filter((x) => x.code === 'PC102').sort((a, b) => a.range.start.line - b.range.start.line);
  assert.equal(tokenOf(WIDE, nsg), '"1-65535"');
  const narrowFor = async (diag: Diagnostic, c: LspClient = client, u = uri) => {
    const actions = await c.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: u },
      range: diag.range,
      context: { diagnostics: [diag] },
    });
    const a = actions.find((x) => x.title.startsWith('Narrow the port range'));
    assert.ok(a, actions.map((x) => x.title).join(' | '));
    return a;
  };
  // A client without snippet support gets a plain edit with the placeholder port (the range's lowest).
  let fixed = apply(WIDE, (await narrowFor(aws)).edit!.changes![uri]);
  assert.match(fixed, /from_port {3}= 0\n {4}to_port {5}= 0\n/);
  fixed = apply(fixed, (await narrowFor(nsg)).edit!.changes![uri]);
  assert.match(fixed, /destination_port_range {5}= "1"\n/);
  // The user types the port the service needs; with 443 both rules are quiet.
  const typed = fixed.replace(/= 0\n/g, '= 443\n').replace('= "1"\n', '= "443"\n');
  const u2 = 'file:///tmp/portcullis-lsp-cloud/narrowed.tf';
  await client.open(u2, typed, 'terraform');
  const after = await client.diagnostics(u2);
  assert.ok(!after.some((x) => x.code === 'PC102' || x.code === 'PC101'), JSON.stringify(after.map((x) => `${x.code} ${x.message}`)));
  // A client with LSP snippet edits: the AWS pair is one edit whose two ports are the same tab stop.
  const lsp = new LspClient();
  try {
    await lsp.initialize(null, true, false, { workspace: { workspaceEdit: { snippetEditSupport: true } } });
    await lsp.open(uri, WIDE, 'terraform');
    const d2 = await lsp.diagnostics(uri, (x) => x.filter((y) => y.code === 'PC102').length === 2);
    const first = d2.filter((x) => x.code === 'PC102').sort((a, b) => a.range.start.line - b.range.start.line)[0];
    const a = await narrowFor(first, lsp);
    type SnippetEdit = { documentChanges: { edits: { range: unknown; snippet: { value: string } }[] }[] };
    const change = (a.edit as unknown as SnippetEdit).documentChanges[0];
    assert.equal(change.edits[0].snippet.value, '${1:0}\n    to_port     = ${1:0}');
    assert.deepEqual(change.edits[0].range, { start: { line: 2, character: 18 }, end: { line: 3, character: 23 } });
  } finally {
    lsp.close();
  }
});
