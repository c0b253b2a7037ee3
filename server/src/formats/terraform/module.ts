/**
 * A Terraform module is a folder: variables and locals declared in any `.tf` file of the folder apply to all.
 * Values come from the open file, its sibling `.tf` and `.tf.json` files, and the auto-loaded variable files
 * (`terraform.tfvars`, `*.auto.tfvars`, and their `.json` forms), which override defaults as Terraform does.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { attrOf, blocksOf, parseHcl, type Body } from './hcl';
import { parseTerraformJson, parseTfvarsJson } from './json';
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

/** A module file in either syntax: native HCL, Terraform's JSON (`*.tf.json`) or a JSON variable file. */
function bodyOf(file: string, text: string): Body {
  if (/\.tfvars\.json$/i.test(file)) return parseTfvarsJson(text);
  if (/\.json$/i.test(file)) return parseTerraformJson(text).body;
  return parseHcl(text).body;
}

function readModuleFile(file: string): { body: Body; text: string } | undefined {
  try {
    const st = fs.statSync(file);
    if (!st.isFile() || st.size > MAX_FILE_BYTES) return undefined;
    const hit = cache.get(file);
    if (hit && hit.mtime === st.mtimeMs) return hit;
    const text = fs.readFileSync(file, 'utf8');
    const entry = { mtime: st.mtimeMs, body: bodyOf(file, text), text };
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

export interface ModuleFile {
  file: string;
  body: Body;
  text: string;
}

/** The `.tf` and `.tf.json` files of a module folder (bounded in number and size), in name order. */
export function moduleFiles(dir: string): ModuleFile[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => /\.tf(\.json)?$/.test(n)).sort().slice(0, MAX_FILES);
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    const file = nodePath.join(dir, n);
    const read = readModuleFile(file);
    return read ? [{ file, ...read }] : [];
  });
}

/** Variables and locals of the module the file belongs to. */
export class ModuleValues {
  private readonly decl: Declarations = { variables: new Map(), locals: new Map(), tfvars: new Map() };
  private readonly memo = new Map<string, Value>();
  private readonly active: string[] = [];
  /** The module's folder, when the file is saved in one: local module sources are relative to it. */
  dir: string | undefined;
  /** Values a module call passes (already evaluated in the caller): they replace the variables' defaults. */
  private inputs = new Map<string, Value>();

  /** The values of a called module: its files' declarations, with the call's arguments as inputs. */
  static forCall(dir: string, files: ModuleFile[], inputs: Map<string, Value>): ModuleValues {
    const m = new ModuleValues({ items: [] }, '', undefined, true);
    m.dir = dir;
    m.inputs = inputs;
    for (const f of files) declare(f.body, f.text, m.decl);
    return m;
  }

  constructor(body: Body, text: string, path: string | undefined, isTfvars: boolean) {
    const file = filePath(path);
    if (file) {
      const dir = nodePath.dirname(file);
      this.dir = dir;
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
        const tf = n.endsWith('.tf') || n.endsWith('.tf.json');
        const vars = /^(terraform|.*\.auto)\.tfvars(\.json)?$/.test(n);
        if (!tf && !vars) continue;
        const other = readModuleFile(p);
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
    if (this.inputs.has(name)) return this.inputs.get(name)!;
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
