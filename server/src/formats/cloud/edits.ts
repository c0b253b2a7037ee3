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
    setVerdict: guard(edits.setVerdict),
    restrictSource: guard(edits.restrictSource),
    deleteRule: guard(edits.deleteRule),
    addProtocol: guard(edits.addProtocol),
  };
}
