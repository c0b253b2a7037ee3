/**
 * Quick-fix edits shared by the cloud formats. They only narrow: a source becomes one network the user
 * edits, an allow becomes a deny where the cloud has one (NSG access, NACL action, GCP `allow` block).
 * AWS security groups have no deny, so no verdict edit is offered there.
 */
import type { Range } from '../../model/range';
import type { Rule } from '../../model/ruleset';
import type { RuleEdits, TextEdit } from '../format';

export function textAt(lines: string[], r: Range): string {
  if (r.start.line === r.end.line) return (lines[r.start.line] ?? '').slice(r.start.character, r.end.character);
  const out = [(lines[r.start.line] ?? '').slice(r.start.character)];
  for (let n = r.start.line + 1; n < r.end.line; n++) out.push(lines[n] ?? '');
  out.push((lines[r.end.line] ?? '').slice(0, r.end.character));
  return out.join('\n');
}

export type Syntax = 'hcl' | 'yaml' | 'json';

/** How a source value is written in this syntax: a list where the field holds a list, else one string. */
function sourceValue(syntax: Syntax, current: string, before: string, network: string): string {
  const list =
    current.trimStart().startsWith('[') ||
    (syntax === 'hcl' && !/^["\d]/.test(current.trim()) && /(blocks|ranges|prefixes|ids)\s*=\s*$/.test(before));
  const one = syntax === 'yaml' && !/^["']/.test(current) ? network : `"${network}"`;
  return list ? `[${one}]` : one;
}

export function cloudEdits(syntax: Syntax): RuleEdits {
  const edits: RuleEdits = {
    addProtocol: () => undefined,
    setDefaultDrop: () => undefined,
    setVerdict(rule: Rule, lines: string[]): TextEdit | undefined {
      if (rule.action.kind !== 'accept') return undefined;
      const r = rule.action.range;
      const t = textAt(lines, r);
      // GCP: an `allow { … }` block becomes `deny { … }` with the same protocols and ports.
      if (syntax === 'hcl' && t === 'allow') return { range: r, newText: 'deny' };
      const m = /^(["']?)(allow)(["']?)$/i.exec(t);
      if (!m) return undefined;
      const word = m[2] === 'Allow' ? 'Deny' : m[2] === 'ALLOW' ? 'DENY' : 'deny';
      return { range: r, newText: `${m[1]}${word}${m[3]}` };
    },
    restrictSource(rule: Rule, lines: string[], network: string): TextEdit | undefined {
      const src = rule.conditions.find((c) => c.kind === 'source');
      if (!src) return undefined;
      const r = src.range;
      const current = textAt(lines, r);
      const before = (lines[r.start.line] ?? '').slice(0, r.start.character);
      // A prefix-list field holds list ids, not networks: there is no narrowing edit to make in it.
      if (/prefix_?list/i.test(before)) return undefined;
      const a = 'range' in rule.action ? rule.action.range : rule.range;
      const anchoredOnRule = r.start.line === a.start.line && r.start.character === a.start.character;
      if (anchoredOnRule) {
        // The rule names no source (GCP: 0.0.0.0/0 by default; Azure: any): add one inside the block.
        if (syntax !== 'hcl') return undefined;
        // GCP: the rule is an allow/deny block; the source belongs to the enclosing resource.
        const gcp = /^\s*(allow|deny)\s*\{/.test(lines[rule.range.start.line] ?? '');
        let line = rule.range.start.line;
        if (gcp) while (line > 0 && !/^\s*resource\s/.test(lines[line] ?? '')) line--;
        if (!(lines[line] ?? '').includes('{')) return undefined;
        const indent = /^\s*/.exec(lines[line + 1] ?? '')![0] || '  ';
        const text = gcp ? `source_ranges = ["${network}"]` : `source_address_prefix = "${network}"`;
        return { range: { start: { line: line + 1, character: 0 }, end: { line: line + 1, character: 0 } }, newText: `${indent}${text}\n` };
      }
      return { range: r, newText: sourceValue(syntax, current, before, network) };
    },
    deleteRule(rule: Rule, lines: string[]): TextEdit | undefined {
      // Only HCL blocks are self-contained lines; deleting part of a YAML/JSON structure could break it.
      if (syntax !== 'hcl') return undefined;
      // A dynamic block or a count/for_each resource writes several rules at once: deleting it deletes them all.
      const block = lines.slice(rule.range.start.line, rule.range.end.line + 1);
      if (/^\s*dynamic\b/.test(block[0] ?? '') || block.some((l) => /^\s*(count|for_each)\s*=/.test(l))) return undefined;
      return {
        range: { start: { line: rule.range.start.line, character: 0 }, end: { line: rule.range.end.line + 1, character: 0 } },
        newText: '',
      };
    },
  };
  // Rules the cloud adds by itself (Azure's defaults) are not in the file: nothing to edit. Nor are rules a
  // Terraform module call brings in (`module.x.…`): they are written in the module's files, and their ranges
  // here are the call's (an argument may feed several rules, some of them denies).
  const guard =
    <A extends unknown[], R>(f: (rule: Rule, ...a: A) => R | undefined) =>
    (rule: Rule, ...a: A): R | undefined =>
      rule.implied || rule.name?.startsWith('module.') ? undefined : f(rule, ...a);
  return {
    ...edits,
    narrowPorts: guard((rule: Rule, lines: string[]) => narrowItem(rule, lines) ?? narrowAwsPair(rule, lines)),
    setVerdict: guard(edits.setVerdict),
    restrictSource: guard(edits.restrictSource),
    deleteRule: guard(edits.deleteRule),
    addProtocol: guard(edits.addProtocol),
  };
}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/**
 * Azure and GCP write a range as one value (`"1-65535"`, `ports = ["0-65535"]`): the widest such item becomes
 * its own lowest port. The item's text must appear once, whole, on its line, or nothing is offered.
 */
function narrowItem(rule: Rule, lines: string[]): { edit: TextEdit; port: string } | undefined {
  const dport = rule.conditions.find((c) => c.kind === 'dport');
  if (dport?.kind !== 'dport' || dport.negated) return undefined;
  const wide = (dport.items ?? []).filter((i) => i.hi > i.lo).sort((a, b) => b.hi - b.lo - (a.hi - a.lo))[0];
  if (!wide || wide.range.start.line !== wide.range.end.line) return undefined;
  const text = textAt(lines, wide.range);
  const at = text.indexOf(wide.text);
  if (at < 0 || text.indexOf(wide.text, at + 1) >= 0 || isDigit(text[at - 1]) || isDigit(text[at + wide.text.length])) return undefined;
  const line = wide.range.start.line;
  const from = wide.range.start.character + at;
  const port = String(wide.lo);
  return { edit: { range: { start: { line, character: from }, end: { line, character: from + wide.text.length } }, newText: port }, port };
}

/**
 * AWS writes a range as two numbers (`from_port`/`to_port`, `FromPort`/`ToPort`, -1 = every port): both become
 * the lowest port of the range, one edit over the span between them, the text in between kept as it is.
 */
function narrowAwsPair(rule: Rule, lines: string[]): { edit: TextEdit; port: string; mirror: true } | undefined {
  const found: { key: 'from' | 'to'; line: number; start: number; value: number; text: string }[] = [];
  for (let n = rule.range.start.line; n <= rule.range.end.line; n++) {
    const m = /^(\s*["']?)(from_port|FromPort|to_port|ToPort)(["']?\s*[=:]\s*["']?)(-?\d+)["']?\s*,?\s*(#.*)?$/.exec(lines[n] ?? '');
    if (m) found.push({ key: /^from/i.test(m[2]) ? 'from' : 'to', line: n, start: m[1].length + m[2].length + m[3].length, value: Number(m[4]), text: m[4] });
  }
  const from = found.filter((f) => f.key === 'from');
  const to = found.filter((f) => f.key === 'to');
  if (from.length !== 1 || to.length !== 1) return undefined;
  const lo = from[0].value < 0 ? 0 : from[0].value;
  const hi = to[0].value < 0 ? 65535 : to[0].value;
  if (!(lo < hi) || hi > 65535) return undefined;
  const [a, b] = from[0].line < to[0].line ? [from[0], to[0]] : [to[0], from[0]];
  const range = { start: { line: a.line, character: a.start }, end: { line: b.line, character: b.start + b.text.length } };
  const between = textAt(lines, { start: { line: a.line, character: a.start + a.text.length }, end: { line: b.line, character: b.start } });
  const port = String(lo);
  // The placeholder is found by its text: it must not occur in between.
  if (between.includes(port)) return undefined;
  return { edit: { range, newText: `${port}${between}${port}` }, port, mirror: true };
}
