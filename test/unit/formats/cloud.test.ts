/** Cloud firewall formats: each cloud's ordering, the scanner misses the issue lists, bad input, the corpus. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import test from 'node:test';
import { sourcesFor } from '../../../server/src/analysis/exposure';
import { resolveSettings } from '../../../server/src/analysis/settings';
import { formatById, formatForPath } from '../../../server/src/formats/registry';
import { analyseText, type FileAnalysis } from '../../../server/src/pipeline';
import { CORPUS } from './helpers';

/** A path in no real folder, so no sibling files are read. */
const NOWHERE = '/nonexistent-portcullis-test';

function run(
  id: string,
  text: string,
  file = `${NOWHERE}/main.${id === 'terraform' ? 'tf' : id === 'azure-arm' ? 'json' : 'yaml'}`,
): FileAnalysis {
  return analyseText(text, formatById(id)!, file, resolveSettings({}));
}
const tf = (text: string) => run('terraform', text);
const codes = (fa: FileAnalysis) => fa.findings.map((f) => f.code);
/** Sources that reach TCP `port` through the chain named `chain` (IPv4 unless said). */
function reach(fa: FileAnalysis, chain: string, port: number, family: 'ipv4' | 'ipv6' = 'ipv4', proto: 'tcp' | 'udp' = 'tcp'): string {
  const ce = fa.exposure.chains.find((c) => c.chain.name === chain && c.family === family);
  assert.ok(ce, `chain ${chain} (${family}) in ${fa.exposure.chains.map((c) => c.chain.name).join(', ')}`);
  return sourcesFor(ce, proto, port).describe();
}
const nsgRule = (name: string, prio: number, access: string, port: string, src = '*') => `
  security_rule {
    name                       = "${name}"
    priority                   = ${prio}
    direction                  = "Inbound"
    access                     = "${access}"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "${port}"
    source_address_prefix      = "${src}"
    destination_address_prefix = "*"
  }`;

test('Azure NSG: lowest priority first, whatever the order in the file; a rule behind a broader deny is shadowed', () => {
  const fa = tf(
    `resource "azurerm_network_security_group" "nsg" {\n  name = "nsg1"${nsgRule('AllowRdp', 300, 'Allow', '3389')}${nsgRule('DenyLow', 200, 'Deny', '3000-4000')}${nsgRule('AllowSsh', 400, 'Allow', '22')}\n}\n`,
  );
  // The deny from * also stops the virtual network, whose default allow (65000) comes after it.
  assert.equal(reach(fa, 'azurerm_network_security_group.nsg', 3389), 'no address');
  assert.equal(
    reach(fa, 'azurerm_network_security_group.nsg', 5000),
    '10.0.0.0/8, 100.64.0.0/10, 168.63.129.16/32, 172.16.0.0/12, 1 more ranges',
  );
  assert.equal(reach(fa, 'azurerm_network_security_group.nsg', 22), 'any IPv4 address');
  const shadow = fa.findings.find((f) => f.code === 'PC105');
  assert.ok(shadow, codes(fa).join());
  assert.equal(shadow.range.start.line, 2); // the AllowRdp block
  assert.ok(!fa.findings.some((f) => f.code === 'PC101' && /3389/.test(f.message)), 'a shadowed allow is not exposure');
  // Swap the priorities: now the allow wins.
  const swapped = tf(
    `resource "azurerm_network_security_group" "nsg" {\n  name = "nsg1"${nsgRule('AllowRdp', 100, 'Allow', '3389')}${nsgRule('DenyLow', 200, 'Deny', '3000-4000')}\n}\n`,
  );
  assert.equal(reach(swapped, 'azurerm_network_security_group.nsg', 3389), 'any IPv4 address');
  assert.ok(swapped.findings.some((f) => f.code === 'PC101' && /nsg1|azurerm_network_security_group\.nsg\/AllowRdp/.test(f.message)));
});

test('Azure NSG: default rules admit the virtual network and the load balancer after user rules; standalone rules merge by priority', () => {
  const fa = tf(
    `resource "azurerm_network_security_group" "nsg" {\n  name = "nsg1"${nsgRule('DenyAll', 4096, 'Deny', '*')}\n}\n` +
      `resource "azurerm_network_security_rule" "web" {\n  name = "web"\n  priority = 100\n  direction = "Inbound"\n  access = "Allow"\n  protocol = "Tcp"\n` +
      `  destination_port_range = "443"\n  source_address_prefix = "Internet"\n  network_security_group_name = "nsg1"\n}\n`,
  );
  assert.equal(reach(fa, 'azurerm_network_security_group.nsg', 443), 'any IPv4 address');
  assert.equal(reach(fa, 'azurerm_network_security_group.nsg', 8080), 'no address', 'deny 4096 is before the defaults at 65000');
});

test('AWS NACL: lowest rule_number first, allow and deny, implicit deny at the end', () => {
  const acl = (entries: [number, string, number, number][]) =>
    `resource "aws_network_acl" "acl" {\n${entries.map(([n, act, lo, hi]) => `  ingress {\n    rule_no = ${n}\n    action = "${act}"\n    protocol = "tcp"\n    cidr_block = "0.0.0.0/0"\n    from_port = ${lo}\n    to_port = ${hi}\n  }\n`).join('')}}\n`;
  const denyFirst = tf(
    acl([
      [200, 'allow', 0, 65535],
      [100, 'deny', 3389, 3389],
    ]),
  );
  assert.equal(reach(denyFirst, 'aws_network_acl.acl', 3389), 'no address');
  assert.equal(reach(denyFirst, 'aws_network_acl.acl', 22), 'any IPv4 address');
  const allowFirst = tf(
    acl([
      [100, 'allow', 0, 65535],
      [200, 'deny', 3389, 3389],
    ]),
  );
  assert.equal(reach(allowFirst, 'aws_network_acl.acl', 3389), 'any IPv4 address');
  assert.ok(
    allowFirst.findings.some((f) => f.code === 'PC105'),
    'the deny behind the allow is dead',
  );
  const none = tf(acl([[100, 'allow', 80, 80]]));
  assert.equal(reach(none, 'aws_network_acl.acl', 81), 'no address');
});

test('GCP: lowest priority first, deny wins a tie, disabled rules and egress do nothing, no source means 0.0.0.0/0', () => {
  const fw = (name: string, kind: string, prio: number, extra = '') =>
    `resource "google_compute_firewall" "${name}" {\n  name = "${name}"\n  network = "default"\n  priority = ${prio}\n  ${kind} {\n    protocol = "tcp"\n    ports = ["22"]\n  }\n${extra}}\n`;
  const tie = tf(fw('allow', 'allow', 1000) + fw('deny', 'deny', 1000));
  assert.equal(reach(tie, 'default', 22), 'no address', 'deny wins at equal priority');
  const allowFirst = tf(fw('allow', 'allow', 900) + fw('deny', 'deny', 1000));
  assert.equal(reach(allowFirst, 'default', 22), 'any IPv4 address');
  const denyFirst = tf(fw('allow', 'allow', 1000) + fw('deny', 'deny', 999));
  assert.equal(reach(denyFirst, 'default', 22), 'no address');
  const disabled = tf(fw('allow', 'allow', 1000) + fw('deny', 'deny', 10, '  disabled = true\n'));
  assert.equal(reach(disabled, 'default', 22), 'any IPv4 address');
  const egress = tf(fw('allow', 'allow', 1000, '  direction = "EGRESS"\n'));
  assert.equal(egress.exposure.chains.length, 0);
  // A deny aimed at tagged instances cannot be counted on for the others.
  const tagged = tf(fw('allow', 'allow', 1000) + fw('deny', 'deny', 10, '  target_tags = ["db"]\n'));
  assert.equal(reach(tagged, 'default', 22), 'any IPv4 address');
});

test('scanner misses: every spelling of the whole internet, split halves, host bits, protocol -1 with ports, ranges over 3389', () => {
  const sg = (body: string) => tf(`resource "aws_security_group" "web" {\n  ingress {\n${body}\n  }\n}\n`);
  const rdp = (cidrs: string, ipv6 = false) =>
    sg(`    from_port = 3389\n    to_port = 3389\n    protocol = "tcp"\n    ${ipv6 ? 'ipv6_cidr_blocks' : 'cidr_blocks'} = [${cidrs}]`);
  for (const [cidrs, v6] of [
    ['"::/0"', true],
    ['"0000:0000:0000:0000:0000:0000:0000:0000/0"', true],
    ['"0:0:0:0:0:0:0:0/0"', true],
    ['"0.0.0.0/1", "128.0.0.0/1"', false],
    ['"192.168.1.0/0"', false],
  ] as const) {
    const fa = rdp(cidrs, v6);
    const f = fa.findings.find((x) => x.code === 'PC101');
    assert.ok(f, `${cidrs}: ${codes(fa).join()}`);
    assert.match(f.message, v6 ? /any IPv6 address/ : /any IPv4 address/, cidrs);
    assert.equal(f.severity, 'error');
  }
  // protocol -1 ignores the ports written next to it: all traffic.
  const all = sg('    from_port = 22\n    to_port = 22\n    protocol = "-1"\n    cidr_blocks = ["0.0.0.0/0"]');
  assert.ok(codes(all).includes('PC104'), codes(all).join());
  assert.equal(reach(all, 'aws_security_group.web', 3389), 'any IPv4 address');
  const allWord = sg('    from_port = 0\n    to_port = 0\n    protocol = "all"\n    cidr_blocks = ["0.0.0.0/0"]');
  assert.ok(codes(allWord).includes('PC104'));
  // GRE (47) and ESP (50) are not port exposure.
  for (const p of ['47', '50', 'icmp']) {
    const fa = sg(`    from_port = 0\n    to_port = 65535\n    protocol = "${p}"\n    cidr_blocks = ["0.0.0.0/0"]`);
    assert.equal(reach(fa, 'aws_security_group.web', 3389), 'no address', p);
    assert.ok(!fa.findings.some((f) => f.code.startsWith('PC10')), `${p}: ${codes(fa).join()}`);
  }
  // A range that covers 3389 without naming it; protocol by number.
  const range = sg('    from_port = 3000\n    to_port = 4000\n    protocol = 6\n    cidr_blocks = ["0.0.0.0/0"]');
  const f = range.findings.find((x) => x.code === 'PC102');
  assert.ok(f && /3389\/tcp RDP/.test(f.message), f?.message);
  // Azure sources: *, Internet, Any, in any case.
  for (const src of ['*', 'Internet', 'internet', 'Any']) {
    const fa = tf(`resource "azurerm_network_security_group" "n" {${nsgRule('r', 100, 'Allow', '3389', src)}\n}\n`);
    assert.ok(
      fa.findings.some((x) => x.code === 'PC101' && /RDP/.test(x.message)),
      src,
    );
  }
  const vnet = tf(`resource "azurerm_network_security_group" "n" {${nsgRule('r', 100, 'Allow', '3389', 'VirtualNetwork')}\n}\n`);
  assert.ok(!vnet.findings.some((x) => x.code === 'PC101'), 'VirtualNetwork is private');
});

test('Terraform values: variables, locals, tfvars and dynamic blocks resolve when literal; unknown values say so, never guess', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-tf-'));
  try {
    fs.writeFileSync(
      path.join(dir, 'variables.tf'),
      'variable "admin" {\n  default = "10.0.0.0/8"\n}\nvariable "open" {}\nvariable "ports" {\n  default = [22, 3389]\n}\n',
    );
    fs.writeFileSync(path.join(dir, 'terraform.tfvars'), 'open = "0.0.0.0/0"\n');
    const main = path.join(dir, 'main.tf');
    const text =
      `locals {\n  web = { http = 80, rdp = 3389 }\n  a = local.b\n  b = local.a\n}\n` +
      `resource "aws_security_group" "web" {\n  dynamic "ingress" {\n    for_each = local.web\n    content {\n      from_port = ingress.value\n      to_port = ingress.value\n      protocol = "tcp"\n      cidr_blocks = [var.open]\n    }\n  }\n` +
      `  ingress {\n    from_port = 22\n    to_port = 22\n    protocol = "tcp"\n    cidr_blocks = [var.admin]\n  }\n  ingress {\n    from_port = 445\n    to_port = 445\n    protocol = "tcp"\n    cidr_blocks = [local.a]\n  }\n}\n`;
    fs.writeFileSync(main, text);
    const fa = run('terraform', text, main);
    assert.equal(reach(fa, 'aws_security_group.web', 3389), 'any IPv4 address', 'from tfvars through a dynamic block');
    assert.equal(reach(fa, 'aws_security_group.web', 22), '10.0.0.0/8', 'variable default');
    const smb = fa.findings.find((f) => /445/.test(f.message));
    assert.ok(smb, codes(fa).join());
    assert.match(smb.message, /approximate: depends on .*cyclic reference/);
    assert.equal(smb.severity, 'warning', 'an approximate verdict is never an error');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('CloudFormation: short-form tags, Ref to parameter defaults, Fn::If as an approximate union, single-object ingress', () => {
  const fa = run(
    'cloudformation',
    `Parameters:\n  Net:\n    Type: String\n    Default: 0.0.0.0/0\nConditions:\n  Prod: !Equals [!Ref Env, prod]\nResources:\n  SG:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n` +
      `      SecurityGroupIngress:\n        IpProtocol: tcp\n        FromPort: 22\n        ToPort: 22\n        CidrIp: !Ref Net\n` +
      `  Extra:\n    Type: AWS::EC2::SecurityGroupIngress\n    Properties:\n      GroupId: !GetAtt SG.GroupId\n      IpProtocol: "6"\n      FromPort: 3389\n      ToPort: 3389\n      CidrIp: !If [Prod, 10.0.0.0/8, !Sub "0.0.0.0/\${Bits}"]\n` +
      `  Other:\n    Type: AWS::EC2::SecurityGroupIngress\n    Properties:\n      GroupId: !Ref SG\n      IpProtocol: tcp\n      FromPort: 5432\n      ToPort: 5432\n      CidrIp: !If [Prod, 10.0.0.0/8, 0.0.0.0/0]\n`,
  );
  assert.ok(!codes(fa).includes('PC001'), fa.findings.map((f) => f.message).join());
  assert.equal(reach(fa, 'SG', 22), 'any IPv4 address');
  const pg = fa.findings.find((f) => /5432/.test(f.message));
  assert.ok(pg, codes(fa).join());
  assert.match(pg.message, /Other in chain SG .*approximate: depends on CidrIp \(Fn::If Prod: either branch\)/);
  assert.notEqual(pg.severity, 'error');
});

test('ARM: parameters file beside the template, copy loops over literal arrays, child rules merged into their NSG', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-arm-'));
  try {
    const tpl = path.join(dir, 'nsg.json');
    const text = JSON.stringify(
      {
        $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
        parameters: { source: { type: 'string', defaultValue: '10.0.0.0/8' }, ports: { type: 'array', defaultValue: ['22', '3389'] } },
        resources: [
          {
            type: 'Microsoft.Network/networkSecurityGroups',
            name: 'nsg1',
            properties: {
              copy: [
                {
                  name: 'securityRules',
                  count: "[length(parameters('ports'))]",
                  input: {
                    name: "[concat('r', copyIndex('securityRules'))]",
                    properties: {
                      priority: "[add(100, copyIndex('securityRules'))]",
                      direction: 'Inbound',
                      access: 'Allow',
                      protocol: 'Tcp',
                      destinationPortRange: "[parameters('ports')[copyIndex('securityRules')]]",
                      sourceAddressPrefix: "[parameters('source')]",
                    },
                  },
                },
              ],
            },
          },
          {
            type: 'Microsoft.Network/networkSecurityGroups/securityRules',
            name: 'nsg1/Rule3',
            properties: {
              priority: 90,
              direction: 'Inbound',
              access: 'Deny',
              protocol: '*',
              destinationPortRange: '22',
              sourceAddressPrefix: '*',
            },
          },
        ],
      },
      null,
      2,
    );
    fs.writeFileSync(tpl, text);
    fs.writeFileSync(path.join(dir, 'nsg.parameters.json'), JSON.stringify({ parameters: { source: { value: 'Internet' } } }));
    const fa = run('azure-arm', text, tpl);
    assert.equal(reach(fa, 'nsg1', 3389), 'any IPv4 address', 'parameter from the parameters file, port from the copy loop');
    assert.equal(reach(fa, 'nsg1', 22), 'no address', 'nsg1/Rule3 (priority 90) denies before r0');
    assert.ok(fa.findings.some((f) => f.code === 'PC101' && /nsg1\/r1 in chain nsg1/.test(f.message)));
    assert.ok(
      fa.findings.some((f) => f.code === 'PC105'),
      'r0 is dead behind Rule3',
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('suppressions: # portcullis-ignore in HCL and YAML', () => {
  const hcl = tf(
    `resource "aws_security_group" "web" {\n  ingress {\n    # portcullis-ignore PC101: bastion, reviewed\n    from_port = 3389\n    to_port = 3389\n    protocol = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n`,
  );
  assert.ok(!codes(hcl).includes('PC101'), codes(hcl).join());
  const yaml = run(
    'cloudformation',
    `Resources:\n  SG:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      SecurityGroupIngress:\n        - IpProtocol: tcp\n          # portcullis-ignore PC101: reviewed\n          FromPort: 3389\n          ToPort: 3389\n          CidrIp: 0.0.0.0/0\n`,
  );
  assert.ok(!codes(yaml).includes('PC101'), codes(yaml).join());
});

test('bad input: malformed HCL, YAML and JSON, unknown resource types, huge and deeply nested files: diagnostics, no crash, bounded time', () => {
  const broken = tf(
    `resource "aws_security_group" "a" {\n  ingress {\n    from_port = \n    to_port = 22\n    cidr_blocks = ["0.0.0.0/0"\n  }\n}\nresource "aws_security_group" "b" {\n  ingress {\n    from_port = 3389\n    to_port = 3389\n    protocol = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n"unterminated\n`,
  );
  assert.ok(broken.findings.filter((f) => f.code === 'PC001').length >= 2, broken.findings.map((f) => f.message).join(' | '));
  assert.ok(
    broken.findings.some((f) => f.code === 'PC101' && /aws_security_group\.b/.test(f.message)),
    'the next block is still read',
  );
  const unknown = tf(`resource "aws_fancy_firewall" "x" {\n  port = 22\n}\n`);
  assert.equal(unknown.findings.length, 0);
  assert.equal(unknown.exposure.chains.length, 0);
  const yaml = run('cloudformation', `Resources:\n  SG:\n    Type: AWS::EC2::SecurityGroup\n    Properties: [unclosed\n`);
  assert.ok(codes(yaml).includes('PC001'));
  const json = run('azure-arm', `{"resources": [ {"type": "Microsoft.Network/networkSecurityGroups", "name": "n", }`);
  assert.ok(codes(json).includes('PC001'));
  const t0 = Date.now();
  const deep = tf(`locals {\n  x = ${'['.repeat(5000)}${']'.repeat(5000)}\n}\n`);
  assert.ok(codes(deep).includes('PC001'), 'nesting beyond the bound is reported');
  const blocks = Array.from(
    { length: 3000 },
    (_, i) =>
      `resource "aws_security_group_rule" "r${i}" {\n  type = "ingress"\n  from_port = ${i % 60000}\n  to_port = ${i % 60000}\n  protocol = "tcp"\n  cidr_blocks = ["10.${i % 250}.0.0/16"]\n  security_group_id = aws_security_group.big.id\n}\n`,
  ).join('');
  const huge = tf(`resource "aws_security_group" "big" {}\n${blocks}`);
  assert.equal(huge.exposure.chains.length, 2);
  assert.ok(Date.now() - t0 < 30_000, `took ${Date.now() - t0} ms`);
});

test('formats are recognised by extension and, for .yaml/.json, by content only', () => {
  assert.equal(formatForPath('/x/main.tf')?.id, 'terraform');
  assert.equal(formatForPath('/x/terraform.tfvars')?.id, 'terraform');
  assert.equal(formatForPath('/x/stack.yaml', () => 'AWSTemplateFormatVersion: "2010-09-09"\nResources: {}\n')?.id, 'cloudformation');
  // Not a cloud template: the compose format claims it.
  assert.equal(formatForPath('/x/docker-compose.yaml', () => 'services:\n  web:\n    image: nginx\n')?.id, 'compose');
  assert.equal(
    formatForPath('/x/t.json', () => '{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"}')?.id,
    'azure-arm',
  );
  assert.equal(
    formatForPath('/x/package.json', () => '{"name": "x"}'),
    undefined,
  );
});

const CLOUD_DIRS = ['terraform', 'cloudformation', 'azure-arm'];
/** True errors in the corpus: values CloudFormation/Azure reject, reported on purpose (MANIFEST, README notes). */
const EXPECTED_ERRORS: Record<string, string[]> = {
  'sg-ingress-22-UNKNOWN.yaml': ['PC001'], // SecurityGroupIngress: 'hello22' is a string, not a rule list
  'sg-ingress-80-UNKNOWN.yaml': ['PC001'],
  'sg-ingress-22-range-invalid-PASSED.yaml': ['PC003'], // FromPort 23 > ToPort 21
};

test('corpus: every terraform/, cloudformation/ and azure-arm/ file parses with no false syntax error', (t) => {
  if (!fs.existsSync(path.join(CORPUS, 'MANIFEST.md'))) return t.skip(`corpus not found at ${CORPUS}`);
  let files = 0;
  let rules = 0;
  const walk = (d: string): string[] =>
    fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
  for (const dir of CLOUD_DIRS) {
    for (const file of walk(path.join(CORPUS, dir)).filter((f) => !f.endsWith('.md'))) {
      const text = fs.readFileSync(file, 'utf8');
      const format = formatForPath(file, () => text);
      assert.ok(format, `${file} is recognised`);
      const fa = analyseText(text, format, file, resolveSettings({}));
      files++;
      rules += fa.ruleset.tables.flatMap((x) => x.chains).reduce((n, c) => n + c.rules.length, 0);
      const errors = fa.findings.filter((f) => f.severity === 'error' && /^PC00/.test(f.code)).map((f) => f.code);
      assert.deepEqual(
        errors,
        EXPECTED_ERRORS[path.basename(file)] ?? [],
        `${file}: ${fa.findings
          .filter((f) => /^PC00/.test(f.code))
          .map((f) => `${f.range.start.line + 1}: ${f.message}`)
          .join(' | ')}`,
      );
    }
  }
  t.diagnostic(`${files} cloud corpus files, ${rules} rules, no unexpected syntax errors`);
  assert.ok(files >= 70, `${files} files`);
});

/**
 * Where Portcullis and Checkov disagree, and why (each cloud's documented semantics; docs/cloud.md):
 * - TCP from_port 0 / to_port 0 is port 0 only for AWS (Checkov reads it as every port);
 * - a rule with no source (no CIDR, no group, `self = false`) or without `ip_protocol` admits nothing / is invalid;
 * - `self = true` next to `cidr_blocks = ["0.0.0.0/0"]` still admits the internet (sources are a union);
 * - prefix lists and `for` expressions are unknown values: approximate exposure, never an error;
 * - GCP `source_ranges = null` with no source tags means 0.0.0.0/0.
 */
const EXPLAINED = [
  'terraform/aws-sg-ingress-22.tf aws_security_group.fail2',
  'terraform/aws-sg-ingress-22.tf aws_security_group.not_self',
  'terraform/aws-sg-ingress-22.tf aws_vpc_security_group_ingress_rule.fail2',
  'terraform/aws-sg-ingress-22.tf aws_security_group.pass_self2',
  'terraform/aws-sg-ingress-80.tf aws_security_group.fail2',
  'terraform/aws-sg-ingress-80.tf aws_vpc_security_group_ingress_rule.fail2',
  'terraform/aws-sg-ingress-80.tf aws_vpc_security_group_ingress_rule.pass_prefix_list',
  'terraform/azure-nsg-rdp.tf azurerm_network_security_group.snet_nsgs',
  'terraform/checkov-gcp-firewall-ingress-80.tf google_compute_firewall.allow_null',
];

test('corpus: agreement with every Checkov expectation listed for the cloud fixtures; each disagreement is an explained one', (t) => {
  if (!fs.existsSync(path.join(CORPUS, 'MANIFEST.md'))) return t.skip(`corpus not found at ${CORPUS}`);
  const script = path.resolve(__dirname, '../../../../scripts/cloud-agreement.mjs');
  const r = spawnSync(process.execPath, [script, '--json'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as { file: string; resource: string; agree: boolean }[];
  const disagree = rows.filter((x) => !x.agree).map((x) => `${x.file} ${x.resource}`);
  t.diagnostic(`${rows.length - disagree.length}/${rows.length} Checkov expectations agree`);
  assert.ok(rows.length >= 180, `${rows.length} expectations`);
  assert.deepEqual(disagree.sort(), [...EXPLAINED].sort());
});
