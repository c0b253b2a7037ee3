/**
 * A Terraform module is a folder: variables and locals declared in any `.tf` file of the folder apply to all.
 * Values come from the open file, its sibling `.tf` files, and the auto-loaded variable files
 * (`terraform.tfvars`, `*.auto.tfvars`), which override defaults as Terraform does.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { attrOf, blocksOf, parseHcl, type Body } from './hcl';
import { evaluate, Unknown, type Definition, type Scope, type Value } from './evaluate';

/** Sibling files larger than this, or more than MAX_FILES of them, are not read (editor latency). */
const MAX_FILE_BYTES = 2 * 1024 * 1024;
const MAX_FILES = 200;

interface Declarations {
  variables: Map<string, Definition | undefined>;
  locals: Map<string, Definition>;
  tfvars: Map<string, Definition>;
}

const cache = new Map<string, { mtime: number; body: Body; text: string }>();

function readHcl(file: string): { body: Body; text: string } | undefined {
  try {
    const st = fs.statSync(file);
    if (!st.isFile() || st.size > MAX_FILE_BYTES) return undefined;
    const hit = cache.get(file);
    if (hit && hit.mtime === st.mtimeMs) return hit;
    const text = fs.readFileSync(file, 'utf8');
    const entry = { mtime: st.mtimeMs, body: parseHcl(text).body, text };
    cache.set(file, entry);
    return entry;
  } catch {
    return undefined;
  }
}

export function filePath(path: string | undefined): string | undefined {
  if (!path) return undefined;
  return path.startsWith('file://') ? decodeURIComponent(path.slice(7)) : path;
}

function declare(body: Body, text: string, into: Declarations): void {
  for (const v of blocksOf(body, 'variable')) {
    const name = v.labels[0]?.value;
    if (!name) continue;
    const d = attrOf(v.body, 'default');
    into.variables.set(name, d ? { expr: d.expr, text } : undefined);
  }
  for (const l of blocksOf(body, 'locals')) {
    for (const it of l.body.items) if (it.type === 'attribute') into.locals.set(it.name, { expr: it.expr, text });
  }
}

/** Variables and locals of the module the file belongs to. */
export class ModuleValues {
  private readonly decl: Declarations = { variables: new Map(), locals: new Map(), tfvars: new Map() };
  private readonly memo = new Map<string, Value>();
  private readonly active: string[] = [];

  constructor(body: Body, text: string, path: string | undefined, isTfvars: boolean) {
    const file = filePath(path);
    if (file) {
      const dir = nodePath.dirname(file);
      let names: string[] = [];
      try {
        names = fs.readdirSync(dir).slice(0, 4 * MAX_FILES);
      } catch {
        // unsaved or virtual file: only its own declarations
      }
      let read = 0;
      for (const n of names.sort()) {
        const p = nodePath.join(dir, n);
        if (p === file || read >= MAX_FILES) continue;
        const tf = n.endsWith('.tf');
        const vars = n === 'terraform.tfvars' || n.endsWith('.auto.tfvars');
        if (!tf && !vars) continue;
        const other = readHcl(p);
        read++;
        if (!other) continue;
        if (tf) declare(other.body, other.text, this.decl);
        else
          for (const it of other.body.items)
            if (it.type === 'attribute') this.decl.tfvars.set(it.name, { expr: it.expr, text: other.text });
      }
    }
    if (isTfvars) return;
    declare(body, text, this.decl);
  }

  variable(name: string): Value {
    const given = this.decl.tfvars.get(name);
    if (given) return this.resolve(`var.${name}`, given);
    if (!this.decl.variables.has(name)) return new Unknown(`var.${name} is not declared in this module`);
    const d = this.decl.variables.get(name);
    if (!d) return new Unknown(`var.${name} has no default and no value in terraform.tfvars`);
    return this.resolve(`var.${name}`, d);
  }

  local(name: string): Value {
    const d = this.decl.locals.get(name);
    if (!d) return new Unknown(`local.${name} is not declared in this module`);
    return this.resolve(`local.${name}`, d);
  }

  /** Evaluates a definition once; a reference back to one being evaluated is a cycle, reported as unknown. */
  private resolve(key: string, d: Definition): Value {
    if (this.memo.has(key)) return this.memo.get(key)!;
    if (this.active.includes(key))
      return new Unknown(`cyclic reference ${[...this.active.slice(this.active.indexOf(key)), key].join(' → ')}`);
    if (this.active.length > 64) return new Unknown(`${key}: references nested too deeply`);
    this.active.push(key);
    const v = evaluate(d.expr, this.scope(d.text));
    this.active.pop();
    this.memo.set(key, v);
    return v;
  }

  scope(text: string, bindings: ReadonlyMap<string, Value> = new Map()): Scope {
    return { text, bindings, variable: (n) => this.variable(n), local: (n) => this.local(n) };
  }
}
