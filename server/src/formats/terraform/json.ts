/**
 * Terraform's JSON syntax (`*.tf.json`): the same blocks as objects. `resource.TYPE.NAME`, `variable.NAME`,
 * `locals` become blocks; inside a resource every key is an attribute, and nested blocks (`ingress`, `allow`,
 * `security_rule` …) written as objects or lists of objects are read like Terraform's attributes-as-blocks.
 * Strings are templates (`"${var.cidr}"`), read with the HCL expression parser at their offsets.
 */
import { parseJsonDoc, type DocNode } from '../cloud/doc';
import { parseExpressionAt, type Attribute, type Block, type Body, type Expr, type HclProblem } from './hcl';

/** A JSON value as an expression: strings through `scalar` (templates in `*.tf.json`, plain in `*.tfvars.json`). */
function jsonExpr(n: DocNode, scalar: (n: DocNode & { type: 'scalar' }) => Expr): Expr {
  const expr = (x: DocNode): Expr => jsonExpr(x, scalar);
  if (n.type === 'scalar') return scalar(n);
  if (n.type === 'seq') return { k: 'tuple', items: n.items.map(expr), start: n.start, end: n.end };
  return {
    k: 'object',
    items: n.entries.map((e) => ({ key: { k: 'lit', value: e.key, start: e.keyStart, end: e.keyEnd }, value: expr(e.value) })),
    start: n.start,
    end: n.end,
  };
}

/** `terraform.tfvars.json`, `*.auto.tfvars.json`: one attribute per top-level key, values literal as written. */
export function parseTfvarsJson(text: string): Body {
  const { root } = parseJsonDoc(text);
  const literal = (n: DocNode & { type: 'scalar' }): Expr => ({ k: 'lit', value: n.value, start: n.start, end: n.end });
  if (root?.type !== 'map') return { items: [] };
  return {
    items: root.entries.map((e): Attribute => ({
      type: 'attribute',
      name: e.key,
      nameSpan: { start: e.keyStart, end: e.keyEnd },
      expr: jsonExpr(e.value, literal),
      start: e.keyStart,
      end: e.value.end,
    })),
  };
}

export function parseTerraformJson(text: string): { body: Body; problems: HclProblem[] } {
  const { root, problems: syntax } = parseJsonDoc(text);
  const problems: HclProblem[] = syntax.map((p) => ({ start: p.start, end: p.end, message: p.message }));
  const items: Body['items'] = [];
  const expr = (n: DocNode): Expr =>
    jsonExpr(n, (x) =>
      typeof x.value === 'string' ? parseExpressionAt(text, x.start, x.end, problems) : { k: 'lit', value: x.value, start: x.start, end: x.end },
    );
  const attributes = (n: DocNode): Body => ({
    items:
      n.type === 'map'
        ? n.entries.map((e): Attribute => ({
            type: 'attribute',
            name: e.key,
            nameSpan: { start: e.keyStart, end: e.keyEnd },
            expr: expr(e.value),
            start: e.keyStart,
            end: e.value.end,
          }))
        : [],
  });
  const block = (
    type: string,
    labels: { value: string; start: number; end: number }[],
    body: Body,
    at: { start: number; end: number },
  ): Block => ({
    type: 'block',
    blockType: type,
    typeSpan: { start: labels[0]?.start ?? at.start, end: labels[0]?.end ?? at.start },
    labels: labels.map((l) => ({ value: l.value, span: l })),
    body,
    start: at.start,
    end: at.end,
  });
  // Each top-level key may hold one object or a list of them.
  const each = (n: DocNode): DocNode[] => (n.type === 'seq' ? n.items : [n]);
  if (root?.type !== 'map') return { body: { items }, problems };
  for (const top of root.entries) {
    for (const v of each(top.value)) {
      if (v.type !== 'map') continue;
      if (top.key === 'resource' || top.key === 'data') {
        for (const t of v.entries)
          for (const byName of each(t.value))
            if (byName.type === 'map')
              for (const nm of byName.entries)
                for (const b of each(nm.value)) {
                  items.push(
                    block(
                      top.key,
                      [
                        { value: t.key, start: t.keyStart, end: t.keyEnd },
                        { value: nm.key, start: nm.keyStart, end: nm.keyEnd },
                      ],
                      attributes(b),
                      b,
                    ),
                  );
                }
      } else if (top.key === 'variable') {
        for (const nm of v.entries)
          items.push(block('variable', [{ value: nm.key, start: nm.keyStart, end: nm.keyEnd }], attributes(nm.value), nm.value));
      } else if (top.key === 'locals') items.push(block('locals', [], attributes(v), v));
    }
  }
  return { body: { items }, problems };
}
