/**
 * Command-line options per command, read with node:util parseArgs in strict mode: an unknown or misspelt
 * option is a usage error naming it, enums and numbers are checked here so commands get typed values.
 */
import { parseArgs } from 'node:util';
import type { Severity } from '../model/finding';

export class UsageError extends Error {}

type OptionSpec = { type: 'string' | 'boolean'; short?: string };

const COMMON: Record<string, OptionSpec> = { help: { type: 'boolean', short: 'h' } };
const ANALYSIS: Record<string, OptionSpec> = {
  config: { type: 'string' },
  language: { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
};

export const COMMANDS = {
  check: { ...COMMON, ...ANALYSIS, format: { type: 'string' }, 'min-severity': { type: 'string' }, jobs: { type: 'string' } },
  exposure: { ...COMMON, ...ANALYSIS, format: { type: 'string' } },
  probe: {
    ...COMMON,
    config: { type: 'string' },
    language: { type: 'string' },
    ports: { type: 'string' },
    from: { type: 'string' },
    udp: { type: 'boolean' },
    timeout: { type: 'string' },
    concurrency: { type: 'string' },
    retries: { type: 'string' },
    'no-banner': { type: 'boolean' },
    format: { type: 'string' },
    'nmap-xml': { type: 'string' },
    host: { type: 'string' },
  },
} satisfies Record<string, Record<string, OptionSpec>>;

export type Command = keyof typeof COMMANDS;
export type Values = Record<string, string | boolean | undefined>;

export function isCommand(name: string): name is Command {
  return Object.hasOwn(COMMANDS, name);
}

/** Parses a command's arguments; every problem becomes a UsageError that names the option. */
export function parseCommand(command: Command, args: string[]): { values: Values; positionals: string[] } {
  const options = COMMANDS[command] as Record<string, OptionSpec>;
  try {
    const { values, positionals } = parseArgs({ args, options, strict: true, allowPositionals: true });
    return { values: values as Values, positionals };
  } catch (e) {
    throw new UsageError(explain(e as NodeJS.ErrnoException, command, options));
  }
}

function explain(e: NodeJS.ErrnoException, command: Command, options: Record<string, OptionSpec>): string {
  // Node names the option as '--name', '-v, --name' or '--name <value>'; the long form is the one users type.
  const named = /--[^\s',=<]+/.exec(e.message)?.[0] ?? /'(-[^' ]+)/.exec(e.message)?.[1] ?? '';
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const name = named.replace(/^-+/, '').replace(/=.*/, '');
    const near = closest(name, Object.keys(options));
    return `unknown option ${named} for \`portcullis ${command}\`${near ? ` (did you mean --${near}?)` : ''}`;
  }
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const name = named.replace(/^-+/, '');
    return options[name]?.type === 'boolean' ? `option ${named} takes no value` : `option ${named} needs a value`;
  }
  return e.message;
}

/** The option name within edit distance 2 of a misspelling, if there is one. */
function closest(word: string, names: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const n of names) {
    const d = distance(word, n);
    if (d < bestDistance) [best, bestDistance] = [n, d];
  }
  return best;
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const swap = i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1] ? (prev[j - 2] ?? Infinity) : Infinity;
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1), swap);
    }
    prev = row;
  }
  return prev[b.length];
}

/** A string option restricted to a fixed set of values. */
export function choice<T extends string>(values: Values, key: string, allowed: readonly T[], fallback: T): T {
  const v = values[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new UsageError(`--${key} must be ${allowed.slice(0, -1).join(', ')} or ${allowed[allowed.length - 1]}, not \`${String(v)}\``);
  }
  return v as T;
}

/** A whole-number option within [min, max]; timers above 2^31 ms would otherwise fire at once. */
export function wholeNumber(values: Values, key: string, fallback: number, min: number, max: number): number {
  const v = values[key];
  if (v === undefined) return fallback;
  const n = typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new UsageError(`--${key} must be a whole number from ${min} to ${max}, not \`${String(v)}\``);
  return n;
}

export function stringOption(values: Values, key: string): string | undefined {
  const v = values[key];
  return typeof v === 'string' ? v : undefined;
}

export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'information', 'hint'];
