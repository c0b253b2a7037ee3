/** Cloud formats: NSG priority clashes (PC013), JSON variable files, and Terraform module calls (PC014). */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import test from 'node:test';
import { resolveSettings } from '../../../server/src/analysis/settings';
import { formatById } from '../../../server/src/formats/registry';
import { analyseText, type FileAnalysis } from '../../../server/src/pipeline';

const NOWHERE = '/nonexistent-portcullis-test';
const run = (id: string, text: string, file: string): FileAnalysis => analyseText(text, formatById(id)!, file, resolveSettings({}));
const of = (fa: FileAnalysis, code: string) => fa.findings.filter((f) => f.code === code);

function folder(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-tf-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const rule = (name: string, prio: number | string, direction = 'Inbound', port = '22') => `
  security_rule {
    name                       = "${name}"
    priority                   = ${prio}
    direction                  = "${direction}"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "${port}"
    source_address_prefix      = "10.0.0.0/8"
    destination_address_prefix = "*"
  }`;

test('PC013: two NSG rules with one priority and direction are both errors, on their priority values', () => {
  const text = `resource "azurerm_network_security_group" "nsg" {\n  name = "nsg1"${rule('a', 100)}${rule('b', 100, 'Inbound', '80')}${rule('c', 100, 'Outbound')}${rule('d', 200)}\n}\n`;
  const fa = run('terraform', text, `${NOWHERE}/main.tf`);
  const clashes = of(fa, 'PC013');
  assert.equal(clashes.length, 2, fa.findings.map((f) => f.message).join('\n'));
  assert.deepEqual(
    clashes.map((f) => f.range.start.line),
    [4, 15],
  );
  assert.ok(clashes.every((f) => f.severity === 'error' && f.related?.length === 1));
  assert.match(clashes[0].message, /priority 100 is also used by azurerm_network_security_group\.nsg\/b, another Inbound rule/);
  // An outbound rule at the same priority, or a standalone rule of another NSG, is no clash.
  const other = `resource "azurerm_network_security_group" "x" {\n  name = "x"${rule('a', 100)}${rule('c', 100, 'Outbound')}\n}\n`;
  assert.equal(of(run('terraform', other, `${NOWHERE}/main.tf`), 'PC013').length, 0);
});

test('PC013: a standalone azurerm_network_security_rule clashes with an inline rule of the NSG it names; unknown priorities never do', () => {
  const text = `resource "azurerm_network_security_group" "nsg" {\n  name = "nsg1"${rule('a', 300)}\n}\nresource "azurerm_network_security_rule" "s" {
  name                        = "s"
  priority                    = "300"
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "Tcp"
  source_port_range           = "*"
  destination_port_range      = "443"
  source_address_prefix       = "*"
  destination_address_prefix  = "*"
  network_security_group_name = azurerm_network_security_group.nsg.name
}
resource "azurerm_network_security_rule" "u" {
  name                        = "u"
  priority                    = var.p
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "Tcp"
  destination_port_range      = "443"
  network_security_group_name = azurerm_network_security_group.nsg.name
}
`;
  const fa = run('terraform', text, `${NOWHERE}/main.tf`);
  assert.equal(of(fa, 'PC013').length, 2, fa.findings.map((f) => `${f.code} ${f.message}`).join('\n'));
});

test('PC013 in ARM templates: inline and child rules of one NSG', () => {
  const arm = JSON.stringify(
    {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      resources: [
        {
          type: 'Microsoft.Network/networkSecurityGroups',
          name: 'nsg1',
          properties: {
            securityRules: [
              { name: 'ssh', properties: { priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', destinationPortRange: '22', sourceAddressPrefix: '10.0.0.0/8' } },
            ],
          },
        },
        {
          type: 'Microsoft.Network/networkSecurityGroups/securityRules',
          name: 'nsg1/web',
          properties: { priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', destinationPortRange: '443', sourceAddressPrefix: '*' },
        },
      ],
    },
    null,
    2,
  );
  const fa = run('azure-arm', arm, `${NOWHERE}/azuredeploy.json`);
  assert.equal(of(fa, 'PC013').length, 2, fa.findings.map((f) => `${f.code} ${f.message}`).join('\n'));
});

test('sibling *.tf.json and *.tfvars.json files supply variables as .tf and .tfvars do', () => {
  const dir = folder({
    'variables.tf.json': JSON.stringify({ variable: { admin_cidr: { default: '10.0.0.0/8' }, port: { default: 22 } } }),
    'terraform.tfvars.json': JSON.stringify({ admin_cidr: '0.0.0.0/0' }),
  });
  const text = `resource "aws_security_group" "web" {\n  ingress {\n    from_port   = var.port\n    to_port     = var.port\n    protocol    = "tcp"\n    cidr_blocks = [var.admin_cidr]\n  }\n}\n`;
  const fa = run('terraform', text, path.join(dir, 'main.tf'));
  const ssh = fa.findings.find((f) => f.code === 'PC101');
  assert.ok(ssh, fa.findings.map((f) => `${f.code} ${f.message}`).join('\n'));
  assert.match(ssh.message, /TCP 22, is reachable from any IPv4 address/);
  assert.ok(!/approximate/.test(ssh.message));
  fs.rmSync(dir, { recursive: true, force: true });
});

const MODULE = `variable "allowed_cidrs" {
  default = ["10.0.0.0/8"]
}
variable "port" {
  default = 22
}
resource "aws_security_group" "this" {
  name = "sg"
  ingress {
    from_port   = var.port
    to_port     = var.port
    protocol    = "tcp"
    cidr_blocks = var.allowed_cidrs
  }
}
`;
const RULES = `resource "aws_security_group_rule" "telnet" {
  type              = "ingress"
  from_port         = 23
  to_port           = 23
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
  security_group_id = aws_security_group.this.id
}
`;

test('module calls: a local module is read with the call arguments; a finding lands on the argument that opens the port', () => {
  const dir = folder({ 'modules/sg/main.tf': MODULE, 'modules/sg/rules.tf': RULES });
  const text = `module "web" {\n  source        = "./modules/sg"\n  allowed_cidrs = ["0.0.0.0/0"]\n  port          = 3389\n}\n`;
  const fa = run('terraform', text, path.join(dir, 'main.tf'));
  const rdp = fa.findings.find((f) => f.code === 'PC101' && /3389/.test(f.message));
  assert.ok(rdp, fa.findings.map((f) => `${f.code} ${f.message}`).join('\n'));
  assert.match(rdp.message, /module\.web\.aws_security_group\.this/);
  assert.equal(rdp.range.start.line, 3, 'on the port argument');
  // A rule in another file of the module, attached to the module's group, with its own literal values: on the source.
  const telnet = fa.findings.find((f) => f.code === 'PC101' && /TCP 23/.test(f.message));
  assert.ok(telnet);
  assert.equal(telnet.range.start.line, 1, 'on source');
  const chains = fa.exposure.chains.map((c) => c.chain.name);
  assert.ok(chains.includes('module.web.aws_security_group.this'), chains.join());
  assert.equal(new Set(chains).size, 1, 'the standalone rule joins the module group');
  // Without the arguments: the module's defaults (10.0.0.0/8, port 22) open nothing to the internet but telnet.
  const quiet = run('terraform', `module "web" {\n  source = "./modules/sg"\n}\n`, path.join(dir, 'main.tf'));
  assert.deepEqual(
    quiet.findings.filter((f) => f.code === 'PC101').map((f) => /TCP (\d+)/.exec(f.message)?.[1]),
    ['23'],
  );
  fs.rmSync(dir, { recursive: true, force: true });
});

test('module calls: count expands; remote, missing and self-calling modules are said once, as information', () => {
  const dir = folder({
    'modules/sg/main.tf': MODULE,
    'modules/loop/main.tf': 'module "again" {\n  source = "../loop"\n}\n',
  });
  const text = `module "two" {
  source        = "./modules/sg"
  count         = 2
  allowed_cidrs = ["0.0.0.0/0"]
}
module "registry" {
  source  = "terraform-aws-modules/security-group/aws"
  version = "5.1.0"
}
module "missing" {
  source = "./modules/none"
}
module "loop" {
  source = "./modules/loop"
}
module "self" {
  source = "./"
}
`;
  const fa = run('terraform', text, path.join(dir, 'main.tf'));
  const chains = [...new Set(fa.exposure.chains.map((c) => c.chain.name))].sort();
  assert.deepEqual(chains, ['module.two[0].aws_security_group.this', 'module.two[1].aws_security_group.this']);
  const info = of(fa, 'PC014');
  assert.deepEqual(
    info.map((f) => f.range.start.line),
    [6, 10, 13, 16],
    info.map((f) => f.message).join('\n'),
  );
  assert.ok(info.every((f) => f.severity === 'information'));
  assert.match(info[0].message, /module registry is not analysed: terraform-aws-modules\/security-group\/aws is not a local folder/);
  assert.match(info[1].message, /no readable \.tf files/);
  assert.match(info[2].message, /calls itself/);
  assert.match(info[3].message, /module self is not analysed: \.\/ calls itself/);
  // Module rules are written elsewhere: no quick fix edits them in the calling file.
  const edits = formatById('terraform')!.edits!;
  for (const r of fa.ruleset.tables.flatMap((t) => t.chains.flatMap((c) => c.rules)))
    assert.equal(edits.restrictSource(r, fa.lines, '192.0.2.0/24'), undefined);
  fs.rmSync(dir, { recursive: true, force: true });
});
