/**
 * The workspace config file `.portcullis.json`: the analysis keys of the editor settings, read by the CLI and
 * by the language server with the same lookup (the file's directory, then its parents) and checked against
 * the one settings schema, schemas/portcullis.schema.json, which VS Code also uses for the file itself.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { findNodeAtLocation, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { resolveSettings, type Settings } from './analysis/settings';
import { readTextFile } from './io/read-file';
import schema from '../../schemas/portcullis.schema.json';
import { validate as generated } from './config-validator.generated';

export const CONFIG_FILE = '.portcullis.json';

/** A problem in a config file: the key path it concerns ("severity.PC101", "" for the whole file) and where. */
export interface ConfigProblem {
  key: string;
  message: string;
  offset: number;
  length: number;
  /** Zero-based position of offset. */
  line: number;
  character: number;
}

export interface LoadedConfig {
  path: string;
  settings: Partial<Settings>;
  problems: ConfigProblem[];
}

/** The schema compiled at build time (scripts/gen-config-validator.mjs): no ajv and no schema compilation at start-up. */
const validate = generated as ValidateFunction;

/** The nearest `.portcullis.json` in `dir` or its parents. */
export function findConfigFile(dir: string): string | undefined {
  let d = path.resolve(dir);
  for (let k = 0; k < 256; k++) {
    const p = path.join(d, CONFIG_FILE);
    if (fs.existsSync(p)) return p;
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  return undefined;
}

/** Reads and checks one config file; a file that cannot be read is a problem too, never silently ignored. */
export function readConfigFile(file: string, read: (p: string) => string = readTextFile): LoadedConfig {
  let text: string;
  try {
    text = read(file);
  } catch (e) {
    return {
      path: file,
      settings: {},
      problems: [{ key: '', message: `cannot read: ${(e as Error).message}`, offset: 0, length: 0, line: 0, character: 0 }],
    };
  }
  return parseConfig(file, text);
}

export function parseConfig(file: string, text: string): LoadedConfig {
  const { settings, problems } = check(text);
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const located = problems.map((p) => {
    let line = 0;
    while (line + 1 < lineStarts.length && lineStarts[line + 1] <= p.offset) line++;
    return { ...p, line, character: p.offset - lineStarts[line] };
  });
  return { path: file, settings, problems: located };
}

type Located = Omit<ConfigProblem, 'line' | 'character'>;

function check(text: string): { settings: Partial<Settings>; problems: Located[] } {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  if (errors.length || !root) {
    const e = text.trim() ? errors[0] : undefined;
    const message = e ? `not valid JSON: ${describeParseError(e)}` : 'empty file: expected a JSON object';
    return { settings: {}, problems: [{ key: '', message, offset: e?.offset ?? 0, length: e?.length ?? 0 }] };
  }
  const json = JSON.parse(text) as unknown;
  const problems: Located[] = [];
  // A bad property name is reported once, by its propertyNames error, not again by the pattern inside it.
  const invalid = validate(json)
    ? []
    : (validate.errors ?? []).filter((e) => e.keyword === 'propertyNames' || e.propertyName === undefined);
  for (const e of invalid) problems.push(schemaProblem(e, root));
  if (problems.length) return { settings: {}, problems };
  const settings = json as Partial<Settings>;
  // Values the schema cannot judge (is it a network? a port?) are checked by the same code the editor uses.
  for (const message of resolveSettings(settings).errors) {
    const key = /^portcullis\.(\w+)/.exec(message)?.[1] ?? '';
    problems.push({ key, message: message.replace(/^portcullis\./, ''), ...at(root, key ? [key] : []) });
  }
  return { settings, problems };
}

function describeParseError(e: ParseError): string {
  return printParseErrorCode(e.error)
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
}

function schemaProblem(e: ErrorObject, root: Node): Located {
  const segments = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const where = segments.map((s, i) => (/^\d+$/.test(s) && i > 0 ? `[${s}]` : `${i ? '.' : ''}${s}`)).join('');
  let key = where;
  let message: string;
  if (e.keyword === 'additionalProperties') {
    const extra = String((e.params as { additionalProperty: string }).additionalProperty);
    key = where ? `${where}.${extra}` : extra;
    const known = Object.keys(schema.properties).filter((k) => k !== '$schema');
    const hint = extra.startsWith('portcullis.') ? ` (write \`${extra.slice('portcullis.'.length)}\`, without the prefix)` : '';
    message = `unknown key \`${extra}\`${hint}; known keys: ${known.join(', ')}`;
    return { key, message, ...at(root, [...segments, extra], true) };
  }
  if (e.keyword === 'enum') message = `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
  else if (e.keyword === 'propertyNames') message = 'is not a diagnostic code (PC followed by three digits)';
  else if (e.keyword === 'type') message = `must be ${article((e.params as { type: string }).type)}`;
  else message = e.message ?? e.keyword;
  if (e.keyword === 'propertyNames') {
    const name = String((e.params as { propertyName: string }).propertyName);
    return { key: `${where}.${name}`, message: `\`${name}\` ${message}`, ...at(root, [...segments, name], true) };
  }
  return { key, message: `${key || 'the file'} ${message}`, ...at(root, segments) };
}

const article = (t: string): string => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`);

/** The text span of a key path: the value, or the property name with `name`. */
function at(root: Node, segments: string[], name = false): { offset: number; length: number } {
  const node = findNodeAtLocation(
    root,
    segments.map((s) => (/^\d+$/.test(s) ? Number(s) : s)),
  );
  const target = name && node?.parent?.type === 'property' ? node.parent.children?.[0] : node;
  return target ? { offset: target.offset, length: target.length } : { offset: root.offset, length: 0 };
}

/** One line per problem, as compilers print them: "FILE:LINE:COL: message". */
export function describeProblems(c: LoadedConfig): string[] {
  return c.problems.map((p) => `${c.path}:${p.line + 1}:${p.character + 1}: ${p.message}`);
}

/** Drops undefined keys so defaults fill them. */
export function definedOnly(s: Partial<Settings>): Partial<Settings> {
  return Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined && v !== null)) as Partial<Settings>;
}

/**
 * The `hosts` key of `.portcullis.json` (in `dir` or a parent): host name → folders, relative to the config
 * file, whose trees hold one host's files (see workspace/hosts.ts). Absent → the default grouping.
 */
export function loadHostLayout(dir: string): { hosts?: Record<string, string[]>; error?: string } {
  const file = findConfigFile(dir);
  if (!file) return {};
  let raw: unknown;
  try {
    raw = (JSON.parse(readTextFile(file)) as Record<string, unknown>).hosts;
  } catch {
    // A broken file is reported by readConfigFile where settings are read; the layout then has no hosts.
    return {};
  }
  if (raw === undefined) return {};
  const base = path.dirname(file);
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { error: `${file}: "hosts" must map host names to lists of folders` };
  const hosts: Record<string, string[]> = {};
  for (const [name, dirs] of Object.entries(raw as Record<string, unknown>)) {
    const list = typeof dirs === 'string' ? [dirs] : dirs;
    if (!Array.isArray(list) || !list.every((d) => typeof d === 'string'))
      return { error: `${file}: "hosts"."${name}" must be a folder or a list of folders` };
    hosts[name] = list.map((d) => path.resolve(base, d));
  }
  return { hosts };
}
