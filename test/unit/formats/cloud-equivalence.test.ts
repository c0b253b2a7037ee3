/** One exposure written as iptables, Terraform (AWS, Azure, GCP), CloudFormation and ARM: same codes, messages, JSON. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'node:test';
import { analyseExposure } from '../../../server/src/analysis/exposure';
import { matrixJson, serviceMatrix } from '../../../server/src/analysis/matrix';
import { resolveSettings } from '../../../server/src/analysis/settings';
import { formatById } from '../../../server/src/formats/registry';
import { PortSet } from '../../../server/src/model/ports';
import type { Ruleset } from '../../../server/src/model/ruleset';
import { analyseText, type FileAnalysis } from '../../../server/src/pipeline';
import { FIXTURES } from './helpers';

const DIR = path.join(FIXTURES, 'equivalence/cloud');
const FILES: [string, string][] = [
  ['iptables', 'policy.rules'],
  ['terraform', 'aws.tf'],
  ['terraform', 'aws.tf.json'],
  ['terraform', 'azure.tf'],
  ['terraform', 'gcp.tf'],
  ['cloudformation', 'cloudformation.yaml'],
  ['azure-arm', 'azuredeploy.json'],
];

function analyse(id: string, file: string): FileAnalysis {
  const p = path.join(DIR, file);
  return analyseText(fs.readFileSync(p, 'utf8'), formatById(id)!, p, resolveSettings({}));
}

/**
 * The `exposure --format json` entries of the IPv4 input chains, without the names that differ by format (table,
 * chain, line numbers). Azure's implicit default rules (AllowVnetInBound, AllowAzureLoadBalancerInBound) admit
 * VNet and load-balancer sources on every port; they are left out here so the user's rules are compared.
 */
function entries(rs: Ruleset): unknown[] {
  const own: Ruleset = {
    ...rs,
    tables: rs.tables.map((t) => ({
      ...t,
      chains: t.chains.map((c) => ({ ...c, rules: c.rules.filter((r) => !r.name?.endsWith('(default)')) })),
    })),
  };
  const json = matrixJson(serviceMatrix(analyseExposure(own))) as {
    family: string;
    entries: { rules: unknown; ports: [number, number][] }[];
  }[];
  // Entries split only because different rules (lines) made them are joined: lines differ by format.
  const merged = new Map<string, PortSet>();
  for (const c of json.filter((x) => x.family === 'ipv4')) {
    for (const { rules: _rules, ports, ...rest } of c.entries) {
      const key = JSON.stringify(rest);
      merged.set(key, (merged.get(key) ?? PortSet.NONE).union(PortSet.fromRanges(ports)));
    }
  }
  return [...merged]
    .map(([k, ports]) => ({ ...JSON.parse(k), ports: ports.ranges() }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** A message with the names that differ by format (chain, rule address) replaced. */
function shape(message: string): string {
  return message.replace(/ through .*?chain \S+?(?=[.:] | \()/, ' through chain X');
}

test('the same exposure in seven files (iptables, Terraform AWS native and JSON, Azure, GCP, CloudFormation, ARM): same finding codes, same PC101 wording, same exposure JSON entries', () => {
  const results = FILES.map(([id, f]) => ({ name: `${id}:${f}`, fa: analyse(id, f) }));
  const ref = results[0];
  const refEntries = entries(ref.fa.ruleset);
  assert.ok(refEntries.length >= 3, JSON.stringify(refEntries));
  const refCodes = [...new Set(ref.fa.findings.map((f) => f.code))].sort();
  assert.ok(refCodes.includes('PC101'), refCodes.join());
  const rdp = (fa: FileAnalysis) => fa.findings.find((f) => f.code === 'PC101' && /3389/.test(f.message));
  for (const r of results) {
    assert.deepEqual(entries(r.fa.ruleset), refEntries, `${r.name} exposure entries`);
    assert.deepEqual(
      [...new Set(r.fa.findings.map((f) => f.code))].sort(),
      refCodes,
      `${r.name} codes: ${r.fa.findings.map((f) => f.message).join(' | ')}`,
    );
    const m = rdp(r.fa);
    assert.ok(m, `${r.name}: RDP finding`);
    assert.equal(shape(m.message), shape(rdp(ref.fa)!.message), r.name);
    assert.equal(m.severity, 'error');
  }
  // The resource address is in the message.
  assert.match(rdp(results[1].fa)!.message, /aws_vpc_security_group_ingress_rule\.rdp in chain aws_security_group\.web/);
  assert.match(rdp(results[2].fa)!.message, /aws_vpc_security_group_ingress_rule\.rdp in chain aws_security_group\.web/);
  assert.match(rdp(results[3].fa)!.message, /azurerm_network_security_rule\.rdp in chain azurerm_network_security_group\.web/);
  assert.match(rdp(results[5].fa)!.message, /RdpIngress in chain WebSG/);
  assert.match(rdp(results[6].fa)!.message, /web\/rdp in chain web/);
});

test('exposure JSON names the group: table = resource type, chain = group address; standalone rules under their group', () => {
  const tables = (id: string, f: string) =>
    (matrixJson(serviceMatrix(analyse(id, f).exposure)) as { table: string; chain: string }[]).map((c) => `${c.table} ${c.chain}`);
  assert.deepEqual([...new Set(tables('terraform', 'aws.tf'))], ['aws_security_group aws_security_group.web']);
  assert.deepEqual([...new Set(tables('terraform', 'azure.tf'))], ['azurerm_network_security_group azurerm_network_security_group.web']);
  assert.deepEqual([...new Set(tables('terraform', 'gcp.tf'))], ['google_compute_network default']);
  assert.deepEqual([...new Set(tables('cloudformation', 'cloudformation.yaml'))], ['AWS::EC2::SecurityGroup WebSG']);
  assert.deepEqual([...new Set(tables('azure-arm', 'azuredeploy.json'))], ['Microsoft.Network/networkSecurityGroups web']);
});
