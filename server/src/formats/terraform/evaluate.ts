/**
 * Evaluates HCL expressions as far as the workspace makes them literal: variables (defaults, *.tfvars),
 * locals, `each`/`count`/dynamic iterators, and the common pure functions. Anything else becomes an `Unknown`
 * that says what it depends on; nothing is guessed. Recursion through locals is bounded and cycle-checked.
 */
import type { Expr } from './hcl';
import { exprText } from './hcl';
import { Unknown, findUnknown, type Value } from '../cloud/value';

export { Unknown, findUnknown, type Value };

export interface Definition {
  expr: Expr;
  /** The text the expression was read from (another file for variable defaults and locals). */
  text: string;
}

/** Where names come from: the module's variables and locals, and the bindings of the current expansion. */
export interface Scope {
  text: string;
  variable(name: string): Value;
  local(name: string): Value;
  bindings: ReadonlyMap<string, Value>;
}

const MAX_DEPTH = 64;
const MAX_ITEMS = 10_000;

export function isUnknown(v: Value): v is Unknown {
  return v instanceof Unknown;
}

export function evaluate(e: Expr, scope: Scope, depth = 0): Value {
  if (depth > MAX_DEPTH) return new Unknown('expression nested too deeply');
  const ev = (x: Expr) => evaluate(x, scope, depth + 1);
  switch (e.k) {
    case 'lit':
      return e.value;
    case 'tmpl': {
      let out = '';
      for (const p of e.parts) {
        if (typeof p === 'string') {
          out += p;
          continue;
        }
        const v = ev(p);
        if (v instanceof Unknown) return v;
        if (typeof v === 'object' && v !== null) return new Unknown(`${exprText(scope.text, p)} is not a string`);
        out += v === null ? '' : String(v);
      }
      return out;
    }
    case 'tuple':
      return e.items.map(ev);
    case 'object': {
      const o: { [k: string]: Value } = {};
      for (const it of e.items) {
        const k = ev(it.key);
        if (k instanceof Unknown) return k;
        o[String(k)] = ev(it.value);
      }
      return o;
    }
    case 'ref':
      return reference(e, scope, depth);
    case 'index': {
      const target = ev(e.target);
      const key = typeof e.key === 'string' ? e.key : ev(e.key);
      return index(target, key, exprText(scope.text, e));
    }
    case 'call':
      return call(e.name, e.args.map(ev), e.expand, exprText(scope.text, e));
    case 'unary': {
      const v = ev(e.operand);
      if (v instanceof Unknown) return v;
      return e.op === '!' ? !truthy(v) : -Number(v);
    }
    case 'binary':
      return binary(e.op, ev(e.left), ev(e.right));
    case 'cond': {
      const t = ev(e.test);
      if (t instanceof Unknown) {
        // Both branches the same: the value does not depend on the condition.
        const a = ev(e.then);
        const b = ev(e.else);
        return JSON.stringify(a) === JSON.stringify(b) && !findUnknown(a)
          ? a
          : new Unknown(`the condition ${exprText(scope.text, e.test)} (${t.why})`);
      }
      return truthy(t) ? ev(e.then) : ev(e.else);
    }
    case 'opaque':
      return new Unknown(`${e.what} ${exprText(scope.text, e)}`);
  }
}

function reference(e: Extract<Expr, { k: 'ref' }>, scope: Scope, depth: number): Value {
  const text = exprText(scope.text, e);
  const key = (p: string | Expr): Value => (typeof p === 'string' ? p : evaluate(p, scope, depth + 1));
  let v: Value;
  let rest = e.path;
  if (scope.bindings.has(e.root)) v = scope.bindings.get(e.root)!;
  else if ((e.root === 'var' || e.root === 'local') && typeof e.path[0] === 'string') {
    v = e.root === 'var' ? scope.variable(e.path[0]) : scope.local(e.path[0]);
    rest = e.path.slice(1);
  } else if (e.root === 'each' || e.root === 'count') return new Unknown(`${text} outside a for_each/count resource`);
  else return new Unknown(`${text} (known only after apply)`);
  for (const p of rest) {
    if (v instanceof Unknown) return v;
    v = index(v, key(p), text);
  }
  return v;
}

function index(target: Value, key: Value, text: string): Value {
  if (target instanceof Unknown) return target;
  if (key instanceof Unknown) return key;
  if (Array.isArray(target)) {
    const n = Number(key);
    return Number.isInteger(n) && n >= 0 && n < target.length ? target[n] : new Unknown(`${text}: index ${String(key)} is out of range`);
  }
  if (target && typeof target === 'object') {
    const k = String(key);
    return k in target ? target[k] : new Unknown(`${text}: no key "${k}"`);
  }
  return new Unknown(`${text}: cannot index a ${typeof target}`);
}

export function truthy(v: Value): boolean {
  return v === true || v === 'true' || (typeof v === 'number' && v !== 0);
}

function binary(op: string, a: Value, b: Value): Value {
  if (op === '&&' && (a === false || b === false)) return false;
  if (op === '||' && (a === true || b === true)) return true;
  if (a instanceof Unknown) return a;
  if (b instanceof Unknown) return b;
  switch (op) {
    case '==':
      return JSON.stringify(a) === JSON.stringify(b);
    case '!=':
      return JSON.stringify(a) !== JSON.stringify(b);
    case '&&':
      return truthy(a) && truthy(b);
    case '||':
      return truthy(a) || truthy(b);
    case '<':
      return Number(a) < Number(b);
    case '>':
      return Number(a) > Number(b);
    case '<=':
      return Number(a) <= Number(b);
    case '>=':
      return Number(a) >= Number(b);
    case '+':
      return Number(a) + Number(b);
    case '-':
      return Number(a) - Number(b);
    case '*':
      return Number(a) * Number(b);
    case '/':
      return Number(a) / Number(b);
    case '%':
      return Number(a) % Number(b);
  }
  return new Unknown(`operator ${op}`);
}

const asList = (v: Value): Value[] | undefined =>
  Array.isArray(v) ? v : v && typeof v === 'object' && !(v instanceof Unknown) ? Object.values(v) : undefined;

/** Pure functions Terraform files use to build rule values; others are unknown (with their name). */
function call(name: string, argsIn: Value[], expand: boolean, text: string): Value {
  let args = argsIn;
  if (expand) {
    const last = args[args.length - 1];
    if (!Array.isArray(last)) return new Unknown(`${text}`);
    args = [...args.slice(0, -1), ...last];
  }
  if (name === 'try') return args.find((a) => !findUnknown(a)) ?? new Unknown(`${text}: every alternative is unknown`);
  if (name === 'can') return args.every((a) => !findUnknown(a));
  if (name === 'coalesce') return args.find((a) => a !== null && a !== '' && !(a instanceof Unknown)) ?? new Unknown(text);
  if (name === 'lookup') {
    const [m, k, d] = args;
    if (m instanceof Unknown) return m;
    if (k instanceof Unknown) return k;
    if (m && typeof m === 'object' && !Array.isArray(m) && String(k) in m) return m[String(k)];
    return args.length > 2 ? d : new Unknown(`${text}: no key ${String(k)}`);
  }
  const u = args.find((a) => a instanceof Unknown);
  if (u) return u;
  const a0 = args[0];
  switch (name) {
    case 'tolist':
    case 'toset':
    case 'distinct': {
      const l = asList(a0);
      if (!l) return new Unknown(text);
      return name === 'tolist' ? l : [...new Map(l.map((x) => [JSON.stringify(x), x])).values()];
    }
    case 'tomap':
      return a0;
    case 'tostring':
      return a0 === null ? null : String(a0);
    case 'tonumber':
      return a0 === null ? null : Number(a0);
    case 'tobool':
      return truthy(a0);
    case 'concat': {
      const out: Value[] = [];
      for (const a of args) {
        if (!Array.isArray(a)) return new Unknown(`${text}: not a list`);
        out.push(...a);
      }
      return out.length > MAX_ITEMS ? new Unknown(`${text}: too many items`) : out;
    }
    case 'flatten': {
      const flat = (v: Value): Value[] => (Array.isArray(v) ? v.flatMap(flat) : [v]);
      return flat(a0);
    }
    case 'compact':
      return (asList(a0) ?? []).filter((x) => x !== null && x !== '');
    case 'merge':
      return Object.assign({}, ...args.filter((a) => a && typeof a === 'object' && !Array.isArray(a)));
    case 'split':
      return typeof a0 === 'string' && typeof args[1] === 'string' ? args[1].split(a0) : new Unknown(text);
    case 'join':
      return typeof a0 === 'string' && Array.isArray(args[1]) ? args[1].map(String).join(a0) : new Unknown(text);
    case 'element': {
      const l = asList(a0);
      return l && l.length ? l[Number(args[1]) % l.length] : new Unknown(text);
    }
    case 'length':
      return typeof a0 === 'string' ? a0.length : (asList(a0)?.length ?? new Unknown(text));
    case 'keys':
      return a0 && typeof a0 === 'object' ? Object.keys(a0) : new Unknown(text);
    case 'values':
      return asList(a0) ?? new Unknown(text);
    case 'contains':
      return (asList(a0) ?? []).some((x) => JSON.stringify(x) === JSON.stringify(args[1]));
    case 'lower':
      return String(a0).toLowerCase();
    case 'upper':
      return String(a0).toUpperCase();
    case 'trimspace':
      return String(a0).trim();
    case 'format':
      return typeof a0 === 'string' ? formatString(a0, args.slice(1)) : new Unknown(text);
    case 'min':
      return Math.min(...args.map(Number));
    case 'max':
      return Math.max(...args.map(Number));
    default:
      return new Unknown(`${text} (function ${name} is not evaluated)`);
  }
}

function formatString(fmt: string, args: Value[]): string {
  let i = 0;
  return fmt.replace(/%(%|[-+#0 ]*\d*[sdvqtf])/g, (m) => (m === '%%' ? '%' : String(args[i++] ?? '')));
}
