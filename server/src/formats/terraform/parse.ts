/**
 * Terraform (`*.tf`, `*.tfvars`): HCL → cloud rules → the common model. Syntax problems are PC001; bad
 * values in rule fields are PC002/PC003/PC007 on the value's token.
 */
import { CODES, type Code } from '../../model/codes';
import type { Finding } from '../../model/finding';
import type { Ruleset } from '../../model/ruleset';
import { buildCloudRuleset } from '../cloud/ruleset';
import { Positions } from '../positions';
import { PriorityClashes } from '../cloud/priorities';
import type { ParseContext } from '../format';
import { parseHcl, type Body } from './hcl';
import { parseTerraformJson } from './json';
import { ModuleValues } from './module';
import { TerraformReader } from './resources';

export function parseTerraform(text: string, ctx: ParseContext): Ruleset {
  const { body, problems } = /\.json$/i.test(ctx.path ?? '') ? parseTerraformJson(text) : parseHcl(text);
  return rulesetFrom(
    body,
    text,
    ctx,
    problems.map((p) => ({ ...p, code: 'PC001' as const })),
  );
}

/** Shared by the native and the JSON syntax: everything after the syntax tree. */
export function rulesetFrom(
  body: Body,
  text: string,
  ctx: ParseContext,
  syntax: { start: number; end: number; message: string; code: Code }[],
): Ruleset {
  const pos = new Positions(text);
  const findings: Finding[] = syntax.map((p) => ({
    code: p.code,
    severity: CODES[p.code].severity,
    message: p.message,
    range: pos.range(p.start, p.end),
  }));
  const isTfvars = /\.tfvars(\.json)?$/i.test(ctx.path ?? '');
  const mod = new ModuleValues(body, text, ctx.path, isTfvars);
  const reader = new TerraformReader(
    {
      text,
      range: (s) => pos.range(s.start, s.end),
      problem: (code, s, message) => findings.push({ code, severity: CODES[code].severity, message, range: pos.range(s.start, s.end) }),
      clashes: new PriorityClashes(findings),
    },
    mod,
  );
  if (!isTfvars) reader.read(body);
  return buildCloudRuleset('terraform', reader.groups, reader.rules, findings);
}
