import type { Family } from '../model/addresses';
import type { Ruleset } from '../model/ruleset';

/** What a parser may ask of the outside world; injected so formats stay free of registry and I/O details. */
export interface ParseContext {
  /** Resolves a service name such as "ssh" to its port for a transport protocol. */
  resolveService(name: string, protocol?: string): number | undefined;
  /** Address family when the caller knows it (from the file name); formats may also detect it. */
  family?: Family;
  /** Path or URI of the file, for formats that look at their name (e.g. ufw's user6.rules). */
  path?: string;
}

export interface Format {
  /** Also the LSP language id. */
  id: string;
  /** Whether a file path (base name and directories) belongs to this format. */
  claims(path: string): boolean;
  parse(text: string, ctx: ParseContext): Ruleset;
}
