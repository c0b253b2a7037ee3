/**
 * The Portcullis language server: wiring only. Documents are parsed and analysed by the pipeline; features
 * turn the results into LSP answers. Runs over stdio (`portcullis-language-server --stdio`) or node IPC.
 */
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createConnection,
  DidChangeConfigurationNotification,
  ErrorCodes,
  ExecuteCommandRequest,
  ProposedFeatures,
  ResponseError,
  StreamMessageReader,
  StreamMessageWriter,
  TextDocuments,
  TextDocumentSyncKind,
  type CodeActionParams,
  type CompletionParams,
  type Diagnostic,
  type DocumentSymbolParams,
  type HoverParams,
  type InlayHintParams,
  type CodeLensParams,
  type InitializeParams,
  type InitializeResult,
  type WorkDoneProgressReporter,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { type ResolvedSettings, type Settings } from './analysis/settings';
import { definedOnly, findConfigFile, readConfigFile, type LoadedConfig } from './config-file';
import { codeActions } from './features/code-actions';
import { forPublishing, toDiagnostic } from './features/diagnostics';
import { hoverAt } from './features/hover';
import { documentSymbols } from './features/symbols';
import { completions } from './features/completion';
import { codeLenses } from './features/code-lens';
import { exposureGroups, type ExposureGroup } from './features/exposure-rows';
import { inlayHints } from './features/inlay-hints';
import { formattingEdits } from './features/formatting';
import type { SnippetSupport } from './features/snippets';
import { matrixJson, serviceMatrix } from './analysis/matrix';
import { renderMatrix } from './features/exposure-view';
import type { Format } from './formats/format';
import { analysisSteps, analyseText, ipv4Sibling, resolveFormat, spliceInert, type FileAnalysis, type Reuse } from './pipeline';
import { inertShift, shiftFindings } from './incremental';
import { readRegularFile } from './io/read-file';
import { Debouncer, EditPace } from './scheduling/debounce';
import { SettingsMemo } from './scheduling/settings-memo';
import { ThreadChoice } from './scheduling/thread-choice';
import { SUPERSEDED, WorkerPool } from './scheduling/worker-pool';
import type { Finding } from './model/finding';
import type { Range } from './model/range';
import type { ProbeReport } from './features/probe-report';
import { workspaceRole, type WorkspaceRole } from './analysis/docker-bypass';
import { rootOf, WORKSPACE_EXPOSURE_COMMAND, WorkspaceIndex } from './workspace-command';
import { CommandError, IMPORT_COMMAND, isUserError, PLAN_COMMAND, PROBE_COMMAND, runImport, runPlan, runProbe } from './probe-command';

if (process.argv.includes('--version')) {
  process.stdout.write(`portcullis-language-server ${require('../../package.json').version}\n`);
  process.exit(0);
}
if (process.argv.includes('--help')) {
  process.stdout.write(
    'usage: portcullis-language-server --stdio\n\nA language server for firewall and service-port configuration files.\n',
  );
  process.exit(0);
}

/** Returns the service matrix of an open document: `{ chains: [...], text }` (see docs/exposure.md). */
const EXPOSURE_COMMAND = 'portcullis.exposure';

/**
 * Over stdio the server builds its own reader so a framing error is seen: after a bad header (a Content-Length
 * that is not a number) the stream cannot be resynchronised reliably, so the server says why on stderr and
 * exits, and the editor restarts it, instead of staying silent for ever.
 */
function stdioConnection(): ReturnType<typeof createConnection> {
  const reader = new StreamMessageReader(process.stdin);
  reader.onError((e) => {
    process.stderr.write(
      `portcullis-language-server: unreadable message from the client (${e.message}); exiting so the editor restarts the server\n`,
    );
    process.exit(2);
  });
  return createConnection(ProposedFeatures.all, reader, new StreamMessageWriter(process.stdout));
}

const connection = process.argv.includes('--stdio') ? stdioConnection() : createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
/**
 * The analysis of each document's latest analysed version (fa absent: not a supported format, too large, or
 * analysed in the worker, which reports the file's workspace role instead).
 */
const cache = new Map<string, CacheEntry>();
interface CacheEntry {
  version: number;
  settings: ResolvedSettings;
  fa: FileAnalysis | undefined;
  role?: WorkspaceRole;
  /** Other files the analysis read (an IPv4 sibling, compose's .env and override file): an edit to one re-checks this. */
  reads?: Set<string>;
}
/** Documents at least this long (UTF-16 units) are analysed in the worker thread. */
const WORKER_THRESHOLD = 128 * 1024;
/**
 * Whether a large document is analysed on this thread or in the worker. PORTCULLIS_ANALYSIS_THREAD=worker sends
 * every large document to the worker, as before this choice existed (tests of the worker's path ask for it).
 */
const threads = new ThreadChoice(undefined, process.env.PORTCULLIS_ANALYSIS_THREAD === 'worker' ? 0 : undefined);
const debouncer = new Debouncer();
/** How long an edit waits before it is analysed: at once when idle and quick, else until a burst pauses. */
const pace = new EditPace();
/** A document that read an edited file is re-checked once that file's edits pause this long. */
const DEPENDENT_DELAY_MS = 150;
const pool = new WorkerPool();
const settingsMemo = new SettingsMemo();

/** What the next edit of an open document can reuse. */
interface Reusable {
  /** The previous in-process analysis (small documents; hovers and code actions on large ones). */
  reuse: Reuse;
  /** Large documents: the text and findings last published from the worker, which an inert edit moves. */
  published?: { text: string; findings: Finding[]; settings: ResolvedSettings; format: Format; sibling?: string };
}
const reusable = new Map<string, Reusable>();
function reusableOf(uri: string): Reusable {
  let r = reusable.get(uri);
  if (!r) reusable.set(uri, (r = { reuse: {} }));
  return r;
}

/** Logs to the client (window/logMessage: the Portcullis output channel in VS Code). */
function logError(what: string, e: unknown): void {
  const detail = e instanceof Error ? (e.stack ?? e.message) : String(e);
  try {
    connection.console.error(`Portcullis: ${what}: ${detail}`);
  } catch {
    process.stderr.write(`Portcullis: ${what}: ${detail}\n`);
  }
}

// A bug must cost one answer, not the server: log it and carry on.
process.on('unhandledRejection', (e) => logError('unhandled rejection', e));
process.on('uncaughtException', (e) => logError('uncaught exception', e));
let canPullConfig = false;
let canCreateProgress = false;
let canRefreshHints = false;
let snippets: SnippetSupport = 'none';
/** Drift findings of the latest probe or import per document, shown until the next one replaces them. */
const probeFindings = new Map<string, Finding[]>();
let workspaceRoot: string | undefined;
/** Config files read so far, by path; cleared when any `.portcullis.json` changes. */
const configs = new Map<string, LoadedConfig>();
/** Config files whose problems are published as diagnostics on them. */
const publishedConfigs = new Set<string>();

connection.onInitialize((params: InitializeParams): InitializeResult => {
  canPullConfig = !!params.capabilities.workspace?.configuration;
  canCreateProgress = !!params.capabilities.window?.workDoneProgress;
  canRefreshHints = !!params.capabilities.workspace?.inlayHint?.refreshSupport;
  // LSP 3.18 snippet edits when the client has them; else the VS Code client's own snippet command.
  const workspaceEdit = params.capabilities.workspace?.workspaceEdit as { snippetEditSupport?: boolean } | undefined;
  const init = params.initializationOptions as { snippetCommand?: boolean } | undefined;
  snippets = workspaceEdit?.snippetEditSupport ? 'lsp' : init?.snippetCommand ? 'command' : 'none';
  const root = params.workspaceFolders?.[0]?.uri ?? params.rootUri ?? undefined;
  workspaceRoot = root?.startsWith('file:') ? fileURLToPath(root) : undefined;
  reloadConfigFile();
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      codeActionProvider: { codeActionKinds: ['quickfix'] },
      documentSymbolProvider: true,
      inlayHintProvider: true,
      documentFormattingProvider: true,
      documentRangeFormattingProvider: true,
      codeLensProvider: { resolveProvider: false },
      completionProvider: { triggerCharacters: [' ', '-', ',', '$', '@', '<', '"'] },
      executeCommandProvider: { commands: [EXPOSURE_COMMAND, PROBE_COMMAND, PLAN_COMMAND, IMPORT_COMMAND, WORKSPACE_EXPOSURE_COMMAND] },
    },
    serverInfo: { name: 'portcullis', version: require('../../package.json').version },
  };
});

connection.onInitialized(() => {
  if (canPullConfig)
    void connection.client.register(DidChangeConfigurationNotification.type, { section: 'portcullis' }).catch(() => undefined);
});

/**
 * The `.portcullis.json` that applies to a document, found as the CLI finds it: the file's directory, then its
 * parents (the workspace root for untitled documents). Its problems are diagnostics on the config file itself.
 */
function configFor(uri: string): LoadedConfig | undefined {
  const dir = uri.startsWith('file:') ? path.dirname(fileURLToPath(uri)) : workspaceRoot;
  const file = dir && findConfigFile(dir);
  if (!file) return undefined;
  let loaded = configs.get(file);
  if (!loaded) {
    loaded = readConfigFile(file);
    configs.set(file, loaded);
    const diagnostics = loaded.problems.map((p) => ({
      range: { start: { line: p.line, character: p.character }, end: { line: p.line, character: p.character + p.length } },
      severity: 1 as const,
      source: 'portcullis',
      message: p.message,
    }));
    if (diagnostics.length) {
      void connection.sendDiagnostics({ uri: pathToFileURL(file).href, diagnostics });
      publishedConfigs.add(file);
    }
  }
  return loaded;
}

function reloadConfigFile(): void {
  configs.clear();
  // Problems of a config file that was fixed or deleted are withdrawn; the next lookup publishes current ones.
  for (const file of publishedConfigs) void connection.sendDiagnostics({ uri: pathToFileURL(file).href, diagnostics: [] });
  publishedConfigs.clear();
}

async function settingsFor(uri: string): Promise<ResolvedSettings> {
  return settingsMemo.resolve(await rawSettingsFor(uri));
}

/**
 * The editor's settings per document, pulled once and kept until the client says they changed
 * (workspace/didChangeConfiguration, which the server registers for): an edit does not wait for a round trip.
 */
const editorSettings = new Map<string, Promise<Partial<Settings>>>();

function editorSettingsFor(uri: string): Promise<Partial<Settings>> {
  if (!canPullConfig) return Promise.resolve({});
  let pulled = editorSettings.get(uri);
  if (!pulled) {
    pulled = connection.workspace.getConfiguration({ scopeUri: uri, section: 'portcullis' }).then(
      (c) => definedOnly((c ?? {}) as Partial<Settings>),
      () => {
        // Not kept: the next analysis asks again.
        editorSettings.delete(uri);
        return {};
      },
    );
    editorSettings.set(uri, pulled);
  }
  return pulled;
}

/** The merged settings as plain data (what the worker thread receives). */
async function rawSettingsFor(uri: string): Promise<Partial<Settings>> {
  const editor = await editorSettingsFor(uri);
  // Editor settings win over the workspace file, which wins over defaults; empty editor lists defer to the file.
  const merged: Partial<Settings> = { ...definedOnly(configFor(uri)?.settings ?? {}) };
  for (const [k, v] of Object.entries(editor))
    if (!(Array.isArray(v) && v.length === 0) && !(typeof v === 'object' && v && Object.keys(v).length === 0))
      (merged as Record<string, unknown>)[k] = v;
  return merged;
}

/** The text of an open editor buffer for a path, if the user has it open. */
function readOpen(p: string): string | undefined {
  return documents
    .all()
    .find((d) => d.uri.startsWith('file:') && fileURLToPath(d.uri) === p)
    ?.getText();
}

/** The open editor buffers in the folder of a document (other than it), for the worker thread's reads beside it. */
function openBeside(uri: string, file: string): { path: string; text: string }[] {
  if (!uri.startsWith('file:')) return [];
  const dir = path.dirname(file);
  return documents
    .all()
    .filter((d) => d.uri !== uri && d.uri.startsWith('file:'))
    .map((d) => ({ path: fileURLToPath(d.uri), text: d.getText() }))
    .filter((d) => path.dirname(d.path) === dir);
}

/** The sibling file's text: the open buffer if the user has it open, else the file on disk. */
function readSibling(p: string): string | undefined {
  const open = readOpen(p);
  if (open !== undefined) return open;
  // Never a blocking open (a FIFO named rules.v4) and never a huge read; a sibling that cannot be read is logged.
  const read = readRegularFile(p);
  if (read.ok) return read.text;
  if (read.code !== 'missing') connection.console.warn(`Portcullis: ${p} (read beside the analysed file) not read: ${read.reason}`);
  return undefined;
}

/**
 * Analyses on this thread, reusing the document's previous analysis where an edit allows it (`Reuse`), and records
 * which other files the format read (for re-checks when they change).
 */
function analyseHere(
  text: string,
  format: Format,
  path: string,
  settings: ResolvedSettings,
  uri: string,
  /** The IPv4 sibling when the caller has read it already (so it is not read twice). */
  sibling?: { path: string; text: string | undefined },
): { fa: FileAnalysis; reads: Set<string> } {
  const reads = new Set<string>();
  const fa = analyseText(text, format, path, settings, siblingReader(reads, sibling), reusableOf(uri).reuse);
  return { fa, reads };
}

/** Reads beside a document, recording what was read; `known`: the IPv4 sibling as the caller read it already. */
function siblingReader(reads: Set<string>, known?: { path: string; text: string | undefined }): (p: string) => string | undefined {
  return (p) => (reads.add(p), p === known?.path ? known.text : readSibling(p));
}

/**
 * Analyses a large document on this thread in steps (parse or splice, walk, checks), letting the event loop read
 * messages between them: an edit that arrives meanwhile stops this run at the next step (undefined is returned) and
 * the next run splices into the model this one made, so no edit waits for a whole stale analysis. Records the
 * longest step's CPU time, which is how long this thread was held on an idle machine.
 */
async function analyseHereInSteps(
  text: string,
  format: Format,
  path: string,
  settings: ResolvedSettings,
  uri: string,
  current: () => boolean,
  sibling?: { path: string; text: string | undefined },
): Promise<{ fa: FileAnalysis; reads: Set<string> } | undefined> {
  const reads = new Set<string>();
  const steps = analysisSteps(text, format, path, settings, siblingReader(reads, sibling), reusableOf(uri).reuse);
  let longest = 0;
  let done: (() => void) | undefined;
  running.set(uri, new Promise<void>((r) => (done = r)));
  try {
    for (;;) {
      // CPU time, not wall time: on a busy machine the worker would wait for a core just as long.
      const cpu = process.cpuUsage();
      const step = steps.next();
      const used = process.cpuUsage(cpu);
      longest = Math.max(longest, (used.user + used.system) / 1000);
      if (step.done) {
        threads.analysedHere(uri, longest);
        return { fa: step.value, reads };
      }
      // Twice: a message read meanwhile is dispatched by the connection in a setImmediate of its own, queued after ours.
      for (let i = 0; i < 2; i++) await new Promise((r) => setImmediate(r));
      if (!current()) return undefined;
    }
  } finally {
    running.delete(uri);
    done!();
  }
}

/**
 * Documents with an analysis in steps under way here; settles when it has finished or stopped. Whoever analyses such a
 * document waits, checking again just before it starts (synchronously), since the analysis owns the reuse state.
 */
const running = new Map<string, Promise<void>>();

function pathOf(uri: string): string {
  return uri.startsWith('file:') ? fileURLToPath(uri) : uri;
}

/** The workspace's files, analysed together for findings that combine files (PC301) and for the exposure view. */
const workspaceIndex = new WorkspaceIndex();

/** Workspace findings for the file; an edit to a host firewall re-checks the open publishers, which depend on it. */
function workspaceFindings(doc: TextDocument, role: WorkspaceRole, settings: ResolvedSettings, fromEdit: boolean): Finding[] {
  if (!workspaceRoot) return [];
  let found: Finding[];
  try {
    found = workspaceIndex.combinedFindings(workspaceRoot, pathOf(doc.uri), role, settings, readOpen);
  } catch (e) {
    connection.console.error(`workspace analysis failed: ${(e as Error).stack ?? e}`);
    return [];
  }
  if (fromEdit && role.hostFirewall) {
    for (const other of documents.all()) {
      const c = cache.get(other.uri);
      if (other.uri !== doc.uri && c?.role?.publisher) void validate(other, false);
    }
  }
  return found;
}

const atStart = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

async function publish(
  doc: TextDocument,
  findings: Finding[],
  settings: ResolvedSettings | undefined,
  extra: Diagnostic[] = [],
): Promise<void> {
  const diagnostics = forPublishing([...findings, ...(probeFindings.get(doc.uri) ?? [])]).map((f) => toDiagnostic(f, doc.uri));
  for (const e of settings?.errors ?? []) diagnostics.unshift({ range: atStart, severity: 2, source: 'portcullis', message: e });
  const config = configFor(doc.uri);
  if (config?.problems.length) {
    const n = config.problems.length;
    const message = `${config.path} has ${n} problem${n > 1 ? 's' : ''} (shown on that file)`;
    diagnostics.unshift({ range: atStart, severity: 2, source: 'portcullis', message });
  }
  await connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics: [...extra, ...diagnostics] });
}

/**
 * Analyses the document's current version and publishes its diagnostics, unless a newer version arrives
 * first (then this run's result is dropped and, in the worker, its work stopped). Large documents go to the
 * worker thread; an exception becomes one "analysis failed" diagnostic and a log line, never a dead server.
 */
async function validate(doc: TextDocument, fromEdit = true): Promise<void> {
  const { uri, version } = doc;
  const current = (): boolean => documents.get(uri)?.version === version;
  const started = performance.now();
  let settings: ResolvedSettings | undefined;
  try {
    const raw = await rawSettingsFor(uri);
    settings = settingsMemo.resolve(raw);
    if (!current()) return;
    const path = pathOf(uri);
    const format = resolveFormat(path, doc.languageId, () => doc.getText());
    const text = doc.getText();
    const size = Buffer.byteLength(text);
    if (!format || size > settings.maxBytes) {
      cache.set(uri, { version, settings, fa: undefined });
      if (!format) return;
      const message = `Portcullis: not analysed: the file is ${(size / 1048576).toFixed(1)} MB, over the ${settings.maxBytes / 1048576} MB input limit (setting portcullis.maxFileSize)`;
      return await publish(doc, [], settings, [{ range: atStart, severity: 2, source: 'portcullis', message }]);
    }
    const large = text.length >= WORKER_THRESHOLD;
    const siblingPath = large ? ipv4Sibling(path) : undefined;
    const siblingText = siblingPath !== undefined ? readSibling(siblingPath) : undefined;
    if (!large || threads.here(uri, text.length, pool.idle())) {
      const known = siblingPath !== undefined ? { path: siblingPath, text: siblingText } : undefined;
      let analysed: { fa: FileAnalysis; reads: Set<string> } | undefined;
      if (large) {
        // An older run of this document stops at its next step; the model it made is this run's start.
        while (running.has(uri)) await running.get(uri);
        if (!current()) return;
        analysed = await analyseHereInSteps(text, format, path, settings, uri, current, known);
        if (!analysed) return;
      } else analysed = analyseHere(text, format, path, settings, uri, known);
      const { fa, reads } = analysed;
      pace.analysed(uri, performance.now() - started);
      const role = workspaceRole(fa.ruleset);
      cache.set(uri, { version, settings, fa, role, reads });
      const all = [...fa.findings, ...workspaceFindings(doc, role, settings, fromEdit)];
      // As after a worker run: hovers during the next analysis answer from this one, and an inert edit moves these.
      if (large) {
        lastFull.set(uri, { fa, settings });
        reusableOf(uri).published = { text, findings: all, settings, format, sibling: siblingText };
      }
      return await publish(doc, all, settings);
    }
    const sibling = siblingPath !== undefined && siblingText !== undefined ? { path: siblingPath, text: siblingText } : undefined;
    const result = await pool.analyse(uri, { text, formatId: format.id, path, settings: raw, sibling, beside: openBeside(uri, path) });
    if (result === SUPERSEDED || !current()) return;
    pace.analysed(uri, performance.now() - started);
    // Hovers and code actions analyse this version on demand (analysisOf); diagnostics need only the findings.
    const { findings, role } = result;
    cache.set(uri, { version, settings, fa: undefined, role, reads: new Set(result.reads) });
    // What an inert edit moves: the findings as finally published for this text (workspace ones included).
    const state = reusableOf(uri);
    const analysed = settings;
    const published = (all: Finding[]) => (state.published = { text, findings: all, settings: analysed, format, sibling: siblingText });
    state.published = undefined;
    if (!role.publisher && !role.hostFirewall) return await publish(doc, published(findings).findings, settings);
    // The workspace checks read the other files of the host (and this one) on this thread: publish the
    // worker's findings first, then add the combined ones unless a newer version arrived meanwhile.
    await publish(doc, findings, settings);
    await new Promise((r) => setImmediate(r));
    if (!current()) return;
    await publish(doc, published([...findings, ...workspaceFindings(doc, role, settings, fromEdit)]).findings, settings);
  } catch (e) {
    if (!current()) return;
    logError(`analysis of ${uri} failed`, e);
    const message = `Portcullis: analysis failed (${(e as Error).message?.split('\n')[0] ?? e}); details are in the Portcullis output`;
    await publish(doc, [], settings, [{ range: atStart, severity: 2, source: 'portcullis', message }]).catch((err) =>
      logError('publishing diagnostics', err),
    );
  }
}

/** The newest full analysis of each large document, kept for hovers while a newer version is being analysed. */
const lastFull = new Map<string, { fa: FileAnalysis; settings: ResolvedSettings }>();

/**
 * The full analysis (model, exposure, findings) of the document's current version, computed here if needed.
 * With `stale` (hover, completion, symbols), a large document that is still being edited or analysed answers
 * from its previous analysis, if any, instead of blocking the event loop; code actions always get the current one.
 */
async function analysisOf(uri: string, stale = false): Promise<{ fa: FileAnalysis; settings: ResolvedSettings } | undefined> {
  const doc = documents.get(uri);
  if (!doc) return undefined;
  const entry = cache.get(uri);
  if (entry?.version === doc.version && entry.fa) return { fa: entry.fa, settings: entry.settings };
  // While a large document is being edited, answer from its previous analysis or not at all, never by
  // analysing on the event loop (that would hold up every message behind it).
  // A small document is analysed at once instead: cheap, and completion must see the text just typed.
  const busy = debouncer.pending(uri) || pool.busy(uri) || running.has(uri);
  if (stale && doc.getText().length >= WORKER_THRESHOLD && busy) return lastFull.get(uri);
  const settings = await settingsFor(uri);
  // An analysis in steps of this document owns its reuse state until it finishes or stops; it may be this version's.
  while (running.has(uri)) await running.get(uri);
  const done = cache.get(uri);
  if (done?.version === documents.get(uri)?.version && done?.fa) return { fa: done.fa, settings: done.settings };
  const latest = documents.get(uri);
  const format = latest && resolveFormat(pathOf(uri), latest.languageId, () => latest.getText());
  if (!latest || !format || Buffer.byteLength(latest.getText()) > settings.maxBytes) return undefined;
  const { fa, reads } = analyseHere(latest.getText(), format, pathOf(uri), settings, uri);
  cache.set(uri, { version: latest.version, settings, fa, role: workspaceRole(fa.ruleset), reads });
  if (latest.getText().length >= WORKER_THRESHOLD) lastFull.set(uri, { fa, settings });
  return { fa, settings };
}

/** Runs a request handler; an exception is logged and answered with `fallback` instead of an error. */
function guarded<P, R>(what: string, fallback: R, handler: (p: P) => Promise<R>): (p: P) => Promise<R> {
  return async (p) => {
    try {
      return await handler(p);
    } catch (e) {
      logError(what, e);
      return fallback;
    }
  };
}

/**
 * A large document's edit that cannot change the analysis (a comment, a counter, whitespace: `inertShift`) is
 * published at once with the last published findings moved to their new positions. Returns false otherwise.
 */
function republishInert(doc: TextDocument): boolean {
  const published = reusable.get(doc.uri)?.published;
  if (!published) return false;
  // The findings hold only while the IPv4 sibling that the parity check read is unchanged.
  const siblingPath = ipv4Sibling(pathOf(doc.uri));
  if (siblingPath !== undefined && readSibling(siblingPath) !== published.sibling) return false;
  const text = doc.getText();
  const shift = inertShift(published.format, published.text, text);
  const findings = shift && shiftFindings(published.findings, shift);
  if (!findings) return false;
  // Analysed on this thread: the model takes the edit too (a splice of its lines), so the next edit's change is its own.
  const { reuse } = reusableOf(doc.uri);
  const modelText = reuse.previous?.text ?? reuse.parsed?.text;
  if (!running.has(doc.uri) && modelText === published.text) spliceInert(reuse, text, (p) => readSibling(p));
  published.text = text;
  published.findings = findings;
  cache.set(doc.uri, { version: doc.version, settings: published.settings, fa: undefined });
  void publish(doc, findings, published.settings).catch((e) => logError('publishing diagnostics', e));
  return true;
}

// The first analysis of a document runs at once; an edit after it waits as `pace` says (superseded work is dropped).
documents.onDidChangeContent((e) => {
  const { uri } = e.document;
  const run = (): void => {
    const doc = documents.get(uri);
    if (doc) void validate(doc);
  };
  pool.cancel(uri);
  // A large document analysed here runs in steps that the next edit stops: an idle one need not wait.
  const length = e.document.getText().length;
  const delay = pace.edited(uri, length >= WORKER_THRESHOLD && threads.here(uri, length, pool.idle()));
  if (republishInert(e.document)) debouncer.cancel(uri);
  else debouncer.schedule(uri, run, cache.has(uri) ? delay : 0);
  // Open documents whose analysis read this file (a compose file's override, an IPv6 file's IPv4 sibling).
  if (!uri.startsWith('file:')) return;
  const p = fileURLToPath(uri);
  for (const [other, c] of cache)
    if (other !== uri && c.reads?.has(p) && !debouncer.pending(other))
      debouncer.schedule(
        other,
        () => {
          const d = documents.get(other);
          if (d) void validate(d, false);
        },
        DEPENDENT_DELAY_MS,
      );
});
documents.onDidClose((e) => {
  debouncer.cancel(e.document.uri);
  pool.cancel(e.document.uri);
  cache.delete(e.document.uri);
  lastFull.delete(e.document.uri);
  reusable.delete(e.document.uri);
  editorSettings.delete(e.document.uri);
  pace.forget(e.document.uri);
  threads.forget(e.document.uri);
  void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
});

/** Settings may have changed: nothing analysed under the old ones is reused. */
function forgetReusable(): void {
  reusable.clear();
}

connection.onDidChangeConfiguration(() => {
  editorSettings.clear();
  reloadConfigFile();
  forgetReusable();
  for (const doc of documents.all()) void validate(doc);
  if (canRefreshHints) void connection.languages.inlayHint.refresh().catch(() => undefined);
});

connection.onDidChangeWatchedFiles(() => {
  reloadConfigFile();
  forgetReusable();
  for (const doc of documents.all()) void validate(doc);
});

connection.onHover(
  guarded('hover', null, async (p: HoverParams) => {
    const a = await analysisOf(p.textDocument.uri, true);
    if (!a) return null;
    const h = hoverAt(a.fa, p.position, a.settings);
    return h ? { range: h.range, contents: { kind: 'markdown' as const, value: h.markdown } } : null;
  }),
);

connection.onCodeAction(
  guarded('code actions', [], async (p: CodeActionParams) => {
    const a = await analysisOf(p.textDocument.uri);
    const version = documents.get(p.textDocument.uri)?.version ?? 0;
    return a ? codeActions(a.fa, { uri: p.textDocument.uri, version, snippets }, p.context.diagnostics) : [];
  }),
);

connection.languages.inlayHint.on(
  guarded('inlay hints', [], async (p: InlayHintParams) => {
    const a = await analysisOf(p.textDocument.uri, true);
    if (!a || !a.settings.inlayHints) return [];
    return inlayHints(a.fa, a.settings, p.range).map((h) => ({
      position: h.position,
      label: h.label,
      ...(h.kind ? { kind: h.kind } : {}),
      paddingLeft: true,
      ...(h.tooltip ? { tooltip: h.tooltip } : {}),
    }));
  }),
);

// Formatting needs only the text and the format, not the analysis.
function formatRequest(uri: string, options: { tabSize: number; insertSpaces: boolean }, range?: Range) {
  const doc = documents.get(uri);
  const format = doc && resolveFormat(pathOf(uri), doc.languageId);
  return doc && format ? formattingEdits(format, doc.getText(), options, range) : [];
}
connection.onDocumentFormatting((p) => formatRequest(p.textDocument.uri, p.options));
connection.onDocumentRangeFormatting((p) => formatRequest(p.textDocument.uri, p.options, p.range));

connection.onCodeLens(
  guarded('code lenses', [], async (p: CodeLensParams) => {
    const a = await analysisOf(p.textDocument.uri, true);
    return a ? codeLenses(p.textDocument.uri, groupsOf(a.fa, a.settings)) : [];
  }),
);

connection.onCompletion(
  guarded('completion', [], async (p: CompletionParams) => {
    const a = await analysisOf(p.textDocument.uri, true);
    return a ? completions(a.fa, p.position, a.settings) : [];
  }),
);

connection.onDocumentSymbol(
  guarded('document symbols', [], async (p: DocumentSymbolParams) => {
    const a = await analysisOf(p.textDocument.uri, true);
    return a ? documentSymbols(a.fa.ruleset) : [];
  }),
);

/** Exposure rows per analysis: code lenses ask on every edit, and the Exposure view right after. */
const groupsCache = new WeakMap<FileAnalysis, ExposureGroup[]>();
function groupsOf(fa: FileAnalysis, settings: ResolvedSettings): ExposureGroup[] {
  let g = groupsCache.get(fa);
  if (!g) groupsCache.set(fa, (g = exposureGroups(serviceMatrix(fa.exposure), fa.ruleset, fa.lines, settings)));
  return g;
}

/** The CLI's JSON (`chains`) and text, and `groups`: the same rows worst-first with words, for views. */
async function exposureOf(uri: string): Promise<{ uri: string; chains: unknown[]; text: string; groups: unknown[] } | null> {
  const a = await analysisOf(uri);
  if (!a) return null;
  const matrix = serviceMatrix(a.fa.exposure);
  return { uri, chains: matrixJson(matrix), text: renderMatrix(pathOf(uri), matrix), groups: groupsOf(a.fa, a.settings) };
}

connection.onRequest('portcullis/exposure', (p: { textDocument: { uri: string } }) => exposureOf(p.textDocument.uri));

const analysisFor = async (uri: string) => (await analysisOf(uri))?.fa;

/** Shows a report's drift findings on its file (replacing the previous probe's) and re-publishes. */
async function showDrift(uri: string | undefined, report: ProbeReport): Promise<void> {
  if (!uri) return;
  probeFindings.set(uri, report.findings);
  const doc = documents.get(uri);
  if (doc) await validate(doc);
}

// Registered as a plain request so the client's workDoneToken is still visible (onExecuteCommand hides it).
connection.onRequest(ExecuteCommandRequest.type, async (p, token) => {
  const arg = p.arguments?.[0] as { uri?: string } | string | undefined;
  const uri = typeof arg === 'string' ? arg : arg?.uri;
  try {
    if (p.command === EXPOSURE_COMMAND) {
      if (!uri) throw new CommandError(`${EXPOSURE_COMMAND} needs the document URI as its first argument`);
      return await exposureOf(uri);
    }
    if (p.command === PROBE_COMMAND) {
      // The client's own progress token if it sent one; else one the server creates, which the user can cancel.
      const progress: (WorkDoneProgressReporter & { token?: typeof token }) | undefined =
        p.workDoneToken !== undefined
          ? connection.window.attachWorkDoneProgress(p.workDoneToken)
          : canCreateProgress
            ? await connection.window.createWorkDoneProgress()
            : undefined;
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      progress?.token?.onCancellationRequested(() => abort.abort());
      progress?.begin('Portcullis: probing', 0, undefined, true);
      try {
        const report = await runProbe(p.arguments, analysisFor, {
          signal: abort.signal,
          onProgress: (e) => progress?.report(Math.floor((100 * e.done) / e.total), `${e.done}/${e.total} ports`),
        });
        await showDrift(uri, report);
        return report;
      } finally {
        progress?.done();
      }
    }
    if (p.command === WORKSPACE_EXPOSURE_COMMAND) {
      const root = rootOf(p.arguments, workspaceRoot);
      if (!root) throw new CommandError(`${WORKSPACE_EXPOSURE_COMMAND} needs a workspace folder, or \`{ root }\` as its argument`);
      const settings = await settingsFor(pathToFileURL(root).href);
      const index = root === workspaceRoot ? workspaceIndex : new WorkspaceIndex();
      index.analyse(root, settings, readOpen);
      return index.result(settings);
    }
    if (p.command === PLAN_COMMAND) return await runPlan(p.arguments, analysisFor);
    if (p.command === IMPORT_COMMAND) {
      const report = await runImport(p.arguments, analysisFor);
      await showDrift(uri, report);
      return report;
    }
  } catch (e) {
    // Mistakes in what the user asked for come back as the request's error message, without a stack.
    if (isUserError(e)) throw new ResponseError(ErrorCodes.InvalidParams, e.message);
    throw e;
  }
  throw new ResponseError(ErrorCodes.MethodNotFound, `unknown command ${p.command}`);
});

documents.listen(connection);
connection.listen();
