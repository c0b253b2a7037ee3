import type { Family } from '../model/addresses';
import type { CommentSyntax } from '../model/comments';
import type { Range } from '../model/range';
import type { Chain, Rule, Ruleset } from '../model/ruleset';

/** What a parser may ask of the outside world; injected so formats stay free of registry and I/O details. */
export interface ParseContext {
  /** Resolves a service name such as "ssh" to its port for a transport protocol. */
  resolveService(name: string, protocol?: string): number | undefined;
  /** Names the registry gives a port on a protocol (for files that name ports themselves). */
  namesAt?(port: number, protocol: string): string[];
  /** Address family when the caller knows it (from the file name); formats may also detect it. */
  family?: Family;
  /** Path or URI of the file, for formats that look at their name (e.g. ufw's user6.rules). */
  path?: string;
  /** Text of a file in the same folder (compose's `.env`), or undefined when there is none or it cannot be read. */
  readBeside?(name: string): string | undefined;
  /** Names of the other entries of the file's folder (at most a few hundred), for formats that combine a folder's files. */
  listBeside?(): string[];
}

export interface TextEdit {
  range: Range;
  newText: string;
}

/** Format-specific text edits that quick fixes are built from. Each returns undefined when it does not apply. */
export interface RuleEdits {
  /** Add the transport protocol a port match needs. */
  addProtocol(rule: Rule, lines: string[], protocol: 'tcp' | 'udp'): TextEdit | undefined;
  /** Replace an accepting verdict with a blocking one. */
  setVerdict(rule: Rule, lines: string[], verdict: 'drop' | 'reject'): TextEdit | undefined;
  /** Limit the rule to one source network (placeholder the user edits). */
  restrictSource(rule: Rule, lines: string[], network: string): TextEdit | undefined;
  /** Make a base chain default-deny, keeping loopback and established traffic working. */
  setDefaultDrop(chain: Chain, lines: string[]): TextEdit[] | undefined;
  /** Remove a rule entirely. */
  deleteRule(rule: Rule, lines: string[]): TextEdit | undefined;
  /** Bind a published port to the loopback address only (service-port formats). */
  bindLoopback?(rule: Rule, lines: string[]): TextEdit | undefined;
  /**
   * Narrow a port range to one port inside it, `port`, the placeholder the user types over (cloud formats). With
   * `mirror`, the placeholder is written twice (AWS from_port and to_port) and both are typed at once.
   */
  narrowPorts?(rule: Rule, lines: string[]): { edit: TextEdit; port: string; mirror?: boolean } | undefined;
}

/** A completion proposal, editor-neutral. */
export interface Completion {
  label: string;
  kind: 'keyword' | 'option' | 'module' | 'target' | 'chain' | 'port' | 'service';
  detail?: string;
  /** Text to insert when it differs from the label. */
  insertText?: string;
  /** Markdown shown beside the list; a port's documentation comes from the knowledge base instead. */
  documentation?: string;
  /** For ports and services: the ports the proposal stands for, which its documentation describes. */
  ports?: { port: number; protocol: string; hi?: number }[];
}

export interface CompletionContext {
  /** The line up to the cursor. */
  before: string;
  /** The whole document, for names declared elsewhere in it (nft `define`s and sets, pf macros and tables). */
  lines: string[];
  /** The cursor's line (0-based). */
  line: number;
  ruleset: Ruleset;
  /** Port/service lookup by prefix, from the registry. */
  services(prefix: string): { name: string; port: number; protocol: string; description: string }[];
  /** How common a service name is (lower first), from the registry, for ordering a format's own service names. */
  commonRank(name: string): number;
}

export interface FormatOptions {
  tabSize: number;
  insertSpaces: boolean;
}

/** The lines that replace one input line when formatting (empty: the line is dropped). */
export type FormattedLine = string[];

export interface Format {
  /** Also the LSP language id. */
  id: string;
  /** Whether a file path (base name and directories) belongs to this format. */
  claims(path: string): boolean;
  /** Other editors' language ids for the same files (VS Code's `dockercompose`, `dockerfile`). */
  languageIds?: string[];
  /** For generic extensions (.yaml, .json): whether the file's first bytes show it belongs to this format. */
  claimsContent?(path: string, head: string): boolean;
  parse(text: string, ctx: ParseContext): Ruleset;
  /** How comments are written: inline suppressions are recognised in them and inserted as them. */
  comment: CommentSyntax;
  edits?: RuleEdits;
  complete?(ctx: CompletionContext): Completion[];
  /** Format Document: per input line, its formatted lines. Only whitespace and line breaks may change. */
  layout?(text: string, options: FormatOptions): FormattedLine[];
  /** Line-based formats: which edits cannot change the model, so the server re-publishes without re-analysing. */
  inert?: InertEdits;
  /**
   * Line-based formats: the model of the edited text, made by re-parsing only the changed lines and splicing them into
   * `previous` (the model of the text before, which this may change: it must be superseded), or undefined when the
   * format cannot (then the caller parses afresh). The result equals a fresh parse of the new text.
   */
  reparse?(previous: Ruleset, change: LineChange, ctx: ParseContext): Ruleset | undefined;
}

/**
 * Whole lines replaced between two texts (lines as `splitLines` gives them): `removed` lines from `first` on gave way
 * to `added`, which start at offset `from` of the new `text`.
 */
export interface LineChange {
  first: number;
  removed: string[];
  added: string[];
  text: string;
  from: number;
}

/**
 * What a line-based format (iptables, pf) knows about edits that leave its model unchanged apart from positions.
 * Lines are as `splitLines` gives them. Inline suppressions and placeholders are checked by the caller.
 */
export interface InertEdits {
  /** Whether a whole line is read as nothing (blank, or a comment). */
  line(line: string): boolean;
  /**
   * Whether replacing `old.slice(start, oldEnd)` by `now.slice(start, newEnd)` (the rest of the line unchanged)
   * leaves the line's meaning and every token's text as it was: whitespace between tokens, a packet counter.
   */
  within(old: string, now: string, start: number, oldEnd: number, newEnd: number): boolean;
  /** Whether the line continues onto the next one (pf's trailing backslash), so the next line is part of it. */
  continues?(line: string): boolean;
}

/**
 * What the registry knows of a format before its parser is loaded: its identity and which files it takes. Each
 * format's `claims.ts` holds it, so recognising a file never loads a parser (formats/registry.ts `lazyFormat`).
 */
export type FormatClaims = Pick<Format, 'id' | 'languageIds' | 'claims' | 'claimsContent' | 'comment'>;
