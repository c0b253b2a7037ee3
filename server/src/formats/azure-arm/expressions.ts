/**
 * ARM template expressions (`"[concat(parameters('name'), '/rule')]"`): a small reader and evaluator for the
 * functions that build NSG rules. Parameters come from a `*.parameters.json` beside the template, then from
 * `defaultValue`; variables are evaluated on demand with cycles reported as unknown.
 */
import { get, type DocNode } from '../cloud/doc';
import { Unknown, findUnknown, type Value } from '../cloud/value';

type Ast = { k: 'lit'; v: Value } | { k: 'call'; name: string; args: Ast[] } | { k: 'member'; target: Ast; key: Ast | string };

export interface ArmContext {
  parameter(name: string): Value;
  variable(name: string): Value;
  copyIndex(loop: string | undefined): Value;
}

const MAX_DEPTH = 64;

export function isExpression(s: string): boolean {
  return s.startsWith('[') && !s.startsWith('[[') && s.trimEnd().endsWith(']');
}

/** A JSON node's value with every expression string inside it evaluated. */
export function evaluateNode(n: DocNode, ctx: ArmContext, depth = 0): Value {
  if (depth > MAX_DEPTH) return new Unknown('template nested too deeply');
  if (n.type === 'scalar') return typeof n.value === 'string' ? evaluateString(n.value, ctx) : n.value;
  if (n.type === 'seq') return n.items.map((x) => evaluateNode(x, ctx, depth + 1));
  const o: { [k: string]: Value } = {};
  for (const e of n.entries) o[e.key] = evaluateNode(e.value, ctx, depth + 1);
  return o;
}

export function evaluateString(s: string, ctx: ArmContext): Value {
  if (s.startsWith('[[')) return s.slice(1);
  if (!isExpression(s)) return s;
  try {
    const p = new Reader(s.slice(1, s.trimEnd().length - 1));
    const ast = p.expr(0);
    return run(ast, ctx, 0);
  } catch (e) {
    return new Unknown(`expression ${s.length > 60 ? s.slice(0, 59) + '…' : s} (${(e as Error).message})`);
  }
}

class Reader {
  private i = 0;
  constructor(private readonly s: string) {}

  private ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i])) this.i++;
  }

  expr(depth: number): Ast {
    if (depth > MAX_DEPTH) throw new Error('too deep');
    this.ws();
    let node: Ast;
    const c = this.s[this.i];
    if (c === "'") {
      let v = '';
      this.i++;
      for (;;) {
        if (this.i >= this.s.length) throw new Error('unterminated string');
        if (this.s[this.i] === "'") {
          if (this.s[this.i + 1] === "'") {
            v += "'";
            this.i += 2;
            continue;
          }
          this.i++;
          break;
        }
        v += this.s[this.i++];
      }
      node = { k: 'lit', v };
    } else if (/[-0-9]/.test(c ?? '')) {
      const m = /^-?\d+(\.\d+)?/.exec(this.s.slice(this.i))!;
      this.i += m[0].length;
      node = { k: 'lit', v: Number(m[0]) };
    } else {
      const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(this.s.slice(this.i));
      if (!m) throw new Error(`unexpected \`${c ?? 'end'}\``);
      this.i += m[0].length;
      this.ws();
      if (this.s[this.i] !== '(') {
        if (m[0] === 'true' || m[0] === 'false') node = { k: 'lit', v: m[0] === 'true' };
        else if (m[0] === 'null') node = { k: 'lit', v: null };
        else throw new Error(`\`${m[0]}\` is not a function call`);
      } else {
        this.i++;
        const args: Ast[] = [];
        this.ws();
        while (this.s[this.i] !== ')') {
          args.push(this.expr(depth + 1));
          this.ws();
          if (this.s[this.i] === ',') this.i++;
          else if (this.s[this.i] !== ')') throw new Error('expected `,` or `)`');
        }
        this.i++;
        node = { k: 'call', name: m[0].toLowerCase(), args };
      }
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] === '.') {
        this.i++;
        const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.i));
        if (!m) throw new Error('expected a property name');
        this.i += m[0].length;
        node = { k: 'member', target: node, key: m[0] };
      } else if (this.s[this.i] === '[') {
        this.i++;
        const key = this.expr(depth + 1);
        this.ws();
        if (this.s[this.i] !== ']') throw new Error('expected `]`');
        this.i++;
        node = { k: 'member', target: node, key };
      } else return node;
    }
  }
}

function run(a: Ast, ctx: ArmContext, depth: number): Value {
  if (depth > MAX_DEPTH) return new Unknown('expression nested too deeply');
  if (a.k === 'lit') return a.v;
  if (a.k === 'member') {
    const t = run(a.target, ctx, depth + 1);
    const key = typeof a.key === 'string' ? a.key : run(a.key, ctx, depth + 1);
    if (t instanceof Unknown) return t;
    if (key instanceof Unknown) return key;
    if (Array.isArray(t)) return t[Number(key)] ?? new Unknown(`index ${String(key)} out of range`);
    if (t && typeof t === 'object') return t[String(key)] ?? new Unknown(`no property ${String(key)}`);
    return new Unknown(`property ${String(key)} of a ${typeof t}`);
  }
  const args = a.args.map((x) => run(x, ctx, depth + 1));
  const [a0, a1, a2] = args;
  switch (a.name) {
    case 'parameters':
      return typeof a0 === 'string' ? ctx.parameter(a0) : new Unknown('parameters() with a computed name');
    case 'variables':
      return typeof a0 === 'string' ? ctx.variable(a0) : new Unknown('variables() with a computed name');
    case 'copyindex': {
      const loop = typeof a0 === 'string' ? a0 : typeof a1 === 'string' ? a1 : undefined;
      const offset = typeof a0 === 'number' ? a0 : typeof a1 === 'number' ? a1 : 0;
      const i = ctx.copyIndex(loop);
      return typeof i === 'number' ? i + offset : i;
    }
    case 'if':
      if (a0 instanceof Unknown) return new Unknown(`if() on ${a0.why}`);
      return a0 === true || a0 === 'true' ? a1 : a2;
    default:
      break;
  }
  const u = args.map(findUnknown).find((x) => x);
  if (u) return u;
  switch (a.name) {
    case 'concat':
      return args.every(Array.isArray) && args.length
        ? (args as Value[][]).flat()
        : args.map((x) => (x === null ? '' : String(x))).join('');
    case 'string':
      return typeof a0 === 'object' && a0 !== null ? JSON.stringify(a0) : String(a0);
    case 'int':
      return parseInt(String(a0), 10);
    case 'tolower':
      return String(a0).toLowerCase();
    case 'toupper':
      return String(a0).toUpperCase();
    case 'equals':
      return JSON.stringify(a0) === JSON.stringify(a1);
    case 'not':
      return !(a0 === true);
    case 'and':
      return args.every((x) => x === true);
    case 'or':
      return args.some((x) => x === true);
    case 'empty':
      return a0 === null || a0 === '' || (Array.isArray(a0) && !a0.length) || (typeof a0 === 'object' && !Object.keys(a0 as object).length);
    case 'length':
      return Array.isArray(a0) || typeof a0 === 'string'
        ? a0.length
        : a0 && typeof a0 === 'object'
          ? Object.keys(a0).length
          : new Unknown('length()');
    case 'greater':
      return Number(a0) > Number(a1);
    case 'less':
      return Number(a0) < Number(a1);
    case 'add':
      return Number(a0) + Number(a1);
    case 'sub':
      return Number(a0) - Number(a1);
    case 'createarray':
      return args;
    case 'split':
      return typeof a0 === 'string' && typeof a1 === 'string' ? a0.split(a1) : new Unknown('split()');
    case 'first':
      return Array.isArray(a0) ? (a0[0] ?? null) : String(a0)[0];
    case 'format':
      return typeof a0 === 'string'
        ? a0.replace(/\{(\d+)(:[^}]*)?\}/g, (_, n: string) => String(args[Number(n) + 1] ?? ''))
        : new Unknown('format()');
    default:
      return new Unknown(`${a.name}() (known only at deployment)`);
  }
}

/** Values of `parameters` in a parameters file (`{ "parameters": { "x": { "value": … } } }`). */
export function parameterValues(root: DocNode | undefined): Map<string, DocNode> {
  const out = new Map<string, DocNode>();
  const ps = get(root, 'parameters');
  if (ps?.type === 'map')
    for (const e of ps.entries) {
      const v = get(e.value, 'value');
      if (v) out.set(e.key, v);
    }
  return out;
}
