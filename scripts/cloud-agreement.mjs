#!/usr/bin/env node
// Agreement of Portcullis with Checkov's expectations on the cloud corpus (../shared/corpus terraform/,
// cloudformation/, azure-arm/ README files). For each listed resource: does a rule of it open the checked port to
// the internet? "in group" follows the cloud's evaluation order with every rule attached to the same group;
// "alone" judges the resource's own rules by themselves (Checkov's view, per resource). Needs `npx tsc -p .`.
// Usage: node scripts/cloud-agreement.mjs [--markdown | --json]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const out = (p) => require(path.join(root, 'out/server/src', p));
const { analyseText } = out('pipeline.js');
const { formatForPath } = out('formats/registry.js');
const { resolveSettings } = out('analysis/settings.js');
const { compile } = out('analysis/exposure.js');
const { isWorld } = out('analysis/reach.js');
const { PortSet } = out('model/ports.js');
const corpus = path.resolve(root, '../shared/corpus');

const ids = (prefix, names) => names.split(',').map((n) => `${prefix}.${n.trim()}`);
// [file, check, expected fail, expected pass]; check = TCP port, 'all' (every TCP port) or 'udp' (any UDP port).
const EXPECT = [
  ['terraform/aws-sg-ingress-22.tf', 22, [...ids('aws_security_group', 'fail,fail2,fail3,fail4,fail-ipv6,not_self'), 'aws_security_group_rule.fail', ...ids('aws_vpc_security_group_ingress_rule', 'fail,fail2')],
    [...ids('aws_security_group', 'pass,pass2,pass3,pass4,pass5,pass6,pass7,pass-ipv6,pass_self,pass_self2'), ...ids('aws_security_group_rule', 'pass,pass2,pass3,pass4'), 'aws_vpc_security_group_ingress_rule.pass']],
  ['terraform/aws-sg-ingress-3389.tf', 3389, ['aws_security_group.fail', 'aws_security_group_rule.fail', 'aws_vpc_security_group_ingress_rule.fail'], ['aws_security_group.pass', 'aws_security_group_rule.pass', 'aws_vpc_security_group_ingress_rule.pass']],
  ['terraform/aws-sg-ingress-80.tf', 80, [...ids('aws_security_group', 'fail,fail2,fail3,fail4,fail5'), 'aws_security_group_rule.fail', ...ids('aws_vpc_security_group_ingress_rule', 'fail,fail2')],
    [...ids('aws_security_group', 'pass,pass2,pass3,pass4,pass5,pass6,pass7,pass-ipv6'), ...ids('aws_security_group_rule', 'pass,pass2,pass3'), ...ids('aws_vpc_security_group_ingress_rule', 'pass,pass_prefix_list')]],
  ['terraform/aws-sg-ingress-any.tf', 'all', ['aws_security_group.fail', ...ids('aws_security_group_rule', 'fail,fail2'), 'aws_vpc_security_group_ingress_rule.fail'], ['aws_security_group.pass', 'aws_security_group_rule.pass', 'aws_vpc_security_group_ingress_rule.pass']],
  ['terraform/azure-nsg-ssh.tf', 22, [...ids('azurerm_network_security_rule', 'all,range,ranges_prefixes,ssh'), 'azurerm_network_security_group.ranges'], [...ids('azurerm_network_security_rule', 'https,ssh_restricted_prefixes'), 'azurerm_network_security_group.ssh_restricted']],
  ['terraform/azure-nsg-rdp.tf', 3389, [...ids('azurerm_network_security_rule', 'all,range,ranges_prefixes,rdp,ranges_prefixes_lower_case,range_prefix_lower_case'), 'azurerm_network_security_group.ranges'],
    [...ids('azurerm_network_security_rule', 'https,rdp_restricted_prefixes'), ...ids('azurerm_network_security_group', 'rdp_restricted,snet_nsgs')]],
  ['terraform/checkov-azure-nsg-http.tf', 80, [...ids('azurerm_network_security_rule', 'all,range,ranges_prefixes,http'), 'azurerm_network_security_group.ranges'], [...ids('azurerm_network_security_rule', 'https,http_restricted_prefixes'), 'azurerm_network_security_group.http_restricted']],
  ['terraform/checkov-azure-nsg-http-dynamic/dynamic.tf', 80, ['azurerm_network_security_group.dynamic_nsg_fail'], ['azurerm_network_security_group.dynamic_nsg_pass']],
  ['terraform/checkov-azure-nsg-udp.tf', 'udp', [...ids('azurerm_network_security_rule', 'fail,fail2,fail3,fail4,fail5'), ...ids('azurerm_network_security_group', 'fail,fail2,fail3,fail4,fail5')],
    [...ids('azurerm_network_security_rule', 'pass,pass2,pass3'), ...ids('azurerm_network_security_group', 'pass,pass2,pass3')]],
  ['terraform/checkov-aws-nacl-ingress-3389.tf', 3389, [...ids('aws_network_acl', 'fail,fail2,fail3,fail4'), ...ids('aws_network_acl_rule', 'fail,fail2,public_ingress')], [...ids('aws_network_acl', 'pass,pass2,pass3'), ...ids('aws_network_acl_rule', 'pass,pass2,count_pass')]],
  ['terraform/checkov-aws-nacl-ingress-22.tf', 22, [...ids('aws_network_acl', 'fail,fail2,fail3,fail4'), ...ids('aws_network_acl_rule', 'fail,fail2,public_ingress')], [...ids('aws_network_acl', 'pass,pass2,pass3'), ...ids('aws_network_acl_rule', 'pass,pass2,pass3')]],
  ['terraform/checkov-aws-sg-egress-any.tf', 'all', [], [...ids('aws_security_group', 'fail,fail2,pass'), ...ids('aws_security_group_rule', 'fail,fail2')]],
  ['terraform/checkov-gcp-firewall-ingress-22.tf', 22, [...ids('google_compute_firewall', 'allow_all,allow_ssh_int,allow_multiple'), 'google_compute_firewall.firewall_demo["firewall-01"]'],
    [...ids('google_compute_firewall', 'restricted,allow_null,allow_different_int'), ...['02', '04', '05', '06'].map((n) => `google_compute_firewall.firewall_demo["firewall-${n}"]`)]],
  ['terraform/checkov-gcp-firewall-ingress-3306.tf', 3306, ids('google_compute_firewall', 'allow_multiple,allow_mysql_int,allow_all'), ids('google_compute_firewall', 'restricted,allow_different_int,allow_null')],
  ['terraform/checkov-gcp-firewall-ingress-80.tf', 80, ids('google_compute_firewall', 'allow_multiple,allow_http_int,allow_all'), ids('google_compute_firewall', 'restricted,allow_different_int,allow_null')],
  ['terraform/checkov-gcp-firewall-ingress-21.tf', 21, ids('google_compute_firewall', 'allow_multiple,allow_ftp_int,allow_all'), ids('google_compute_firewall', 'restricted,allow_null,allow_different_int')],
];
// Whole-file expectations: the file (any resource) opens / does not open the port to the internet.
for (const [f, port, fail] of [
  ['cloudformation/sg-ingress-22-FAILED.yaml', 22, true], ['cloudformation/sg-ingress-22-FAILED-2.yaml', 22, true], ['cloudformation/sg-ingress-22-FAILED-3.yaml', 22, true],
  ['cloudformation/sg-ingress-22-quotes-FAILED.yaml', 22, true], ['cloudformation/sg-ingress-22-range-FAILED.yaml', 22, true], ['cloudformation/sg-ingress-22-range-invalid-PASSED.yaml', 22, false],
  ['cloudformation/sg-ingress-22-PASSED.yaml', 22, false], ['cloudformation/sg-ingress-3389-FAILED.yaml', 3389, true], ['cloudformation/sg-ingress-3389-FAILED-2.yaml', 3389, true],
  ['cloudformation/sg-ingress-3389-PASSED.yaml', 3389, false], ['cloudformation/sg-ingress-80-FAILED.yaml', 80, true], ['cloudformation/sg-ingress-80-FAILED-2.yaml', 80, true],
  ['cloudformation/sg-ingress-80-FAILED-3.yaml', 80, true], ['cloudformation/sg-ingress-80-PASSED.yaml', 80, false],
  ['azure-arm/nsg-ssh-FAILED.json', 22, true], ['azure-arm/nsg-rdp-FAILED.json', 3389, true], ['azure-arm/nsg-ssh-RULE-PASSED.json', 22, false], ['azure-arm/nsg-rdp-RULE-PASSED.json', 3389, false],
  ['azure-arm/nsg-ssh-RULE-1Pass-1Fail.json', 22, true], ['azure-arm/nsg-rdp-RULE-1Pass-1Fail.json', 3389, true],
  ['azure-arm/checkov-nsg-http-FAILED.json', 80, true], ['azure-arm/checkov-nsg-http-RULE-1Pass-1Fail.json', 80, true], ['azure-arm/checkov-nsg-http-RULE-PASSED.json', 80, false],
]) EXPECT.push([f, port, fail ? ['(file)'] : [], fail ? [] : ['(file)']]);

const opens = (ports, protocol, check) => (check === 'all' ? protocol === 'tcp' && ports.isAll() : check === 'udp' ? protocol === 'udp' && !ports.isEmpty() : protocol === 'tcp' && ports.has(check));
const owns = (rule, id) => id === '(file)' || rule.name === id || rule.name?.startsWith(`${id}/`) || rule.name?.startsWith(`${id}[`);

/**
 * A resource opens the port when its own rules admit the internet to it ("alone", Checkov's per-resource view)
 * and the group it belongs to, evaluated in the cloud's order with everything attached to it, lets the internet
 * through to that port ("group": an earlier deny, a lower NACL number or NSG priority, can close it).
 */
function verdicts(fa, id, check) {
  const chains = new Set(fa.ruleset.tables.flatMap((t) => t.chains).filter((c) => c.rules.some((r) => owns(r, id))));
  let approx = false;
  // Ports open to the internet per protocol, over every grant of the group (rules split ports among them).
  const open = { tcp: PortSet.NONE, udp: PortSet.NONE };
  for (const ce of fa.exposure.chains) {
    if (!chains.has(ce.chain)) continue;
    for (const g of ce.grants) {
      if (!isWorld(g.sources, g.family)) continue;
      open[g.protocol] = open[g.protocol].union(g.ports);
      if (g.rule && owns(g.rule, id) && opens(g.ports, g.protocol, check)) approx ||= g.approximate;
    }
  }
  const group = opens(open.tcp, 'tcp', check) || opens(open.udp, 'udp', check);
  let alone = false;
  for (const r of fa.ruleset.tables.flatMap((t) => t.chains).flatMap((c) => c.rules)) {
    if (!owns(r, id) || r.action.kind !== 'accept') continue;
    for (const family of ['ipv4', 'ipv6']) {
      const c = compile(r, family);
      if (c.impossible ?? c.never) continue;
      for (const p of ['tcp', 'udp']) if (c.protocols[p] && isWorld(c.result.sources.restrict(family), family) && opens(c.result.ports, p, check)) alone = true;
    }
  }
  return { open: group && alone, group, alone, approx };
}

const rows = [];
for (const [file, check, fail, pass] of EXPECT) {
  const p = path.join(corpus, file);
  if (!fs.existsSync(p)) continue;
  const text = fs.readFileSync(p, 'utf8');
  const fa = analyseText(text, formatForPath(p, () => text), p, resolveSettings({}));
  for (const [list, expected] of [[fail, true], [pass, false]]) {
    for (const id of list) {
      const v = verdicts(fa, id, check);
      rows.push({ file, check, resource: id, checkov: expected ? 'fail' : 'pass', portcullis: v.open ? `open${v.approx ? ' (approx.)' : ''}` : 'closed', 'own rules': v.alone ? 'admit' : 'do not admit', group: v.group ? 'open' : 'closed', agree: v.open === expected });
    }
  }
}
const agree = rows.filter((r) => r.agree).length;
if (process.argv.includes('--json')) {
  console.log(JSON.stringify(rows));
  process.exit(0);
}
if (process.argv.includes('--markdown')) {
  console.log('| file | check | resource | Checkov | Portcullis | own rules | group | agree |\n|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.file} | ${r.check} | ${r.resource} | ${r.checkov} | ${r.portcullis} | ${r['own rules']} | ${r.group} | ${r.agree ? 'yes' : '**no**'} |`);
} else console.table(rows);
console.log(`\n${agree}/${rows.length} expectations agree; disagreements: ${rows.filter((r) => !r.agree).map((r) => `${path.basename(r.file)} ${r.resource}`).join(', ') || 'none'}`);
