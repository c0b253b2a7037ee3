/**
 * The Portcullis language server: wiring only. Documents are parsed and analysed by the pipeline; features
 * turn the results into LSP answers. Runs over stdio (`portcullis-language-server --stdio`) or node IPC.
 */
import { fileURLToPath } from 'node:url';
import {
  createConnection,
  DidChangeConfigurationNotification,
  ErrorCodes,
  ExecuteCommandRequest,
  ProposedFeatures,
  ResponseError,
  TextDocuments,
  TextDocumentSyncKind,
  type InitializeParams,
  type InitializeResult,
  type WorkDoneProgressReporter,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { resolveSettings, type ResolvedSettings, type Settings } from './analysis/settings';
import { definedOnly, findConfigFile, readConfigFile, type LoadedConfig } from './config-file';
import { readIfPresent } from './io/read-text';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { codeActions } from './features/code-actions';
import { forPublishing, toDiagnostic } from './features/diagnostics';
import { hoverAt } from './features/hover';
import { documentSymbols } from './features/symbols';
import { completions } from './features/completion';
import { codeLenses } from './features/code-lens';
import { exposureGroups } from './features/exposure-rows';
import { inlayHints } from './features/inlay-hints';
import { formattingEdits } from './features/formatting';
import type { SnippetSupport } from './features/snippets';
import { matrixJson, serviceMatrix } from './analysis/matrix';
import { renderMatrix } from './features/exposure-view';
import { analyseText, resolveFormat, type FileAnalysis } from './pipeline';
import type { Finding } from './model/finding';
import type { Range } from './model/range';
import type { ProbeReport } from './features/probe-report';
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

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const cache = new Map<string, { version: number; settings: ResolvedSettings; fa: FileAnalysis | undefined }>();
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
      executeCommandProvider: { commands: [EXPOSURE_COMMAND, PROBE_COMMAND, PLAN_COMMAND, IMPORT_COMMAND] },
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

async function settingsFor(uri: string): Promise<{ settings: ResolvedSettings; config?: LoadedConfig }> {
  let editor: Partial<Settings> = {};
  if (canPullConfig) {
    try {
      editor = definedOnly(
        ((await connection.workspace.getConfiguration({ scopeUri: uri, section: 'portcullis' })) ?? {}) as Partial<Settings>,
      );
    } catch {
      editor = {};
    }
  }
  // Editor settings win over the workspace file, which wins over defaults; empty editor lists defer to the file.
  const config = configFor(uri);
  const merged: Partial<Settings> = { ...definedOnly(config?.settings ?? {}) };
  for (const [k, v] of Object.entries(editor))
    if (!(Array.isArray(v) && v.length === 0) && !(typeof v === 'object' && v && Object.keys(v).length === 0))
      (merged as Record<string, unknown>)[k] = v;
  return { settings: resolveSettings(merged), config };
}

/** The sibling file's text: the open buffer if the user has it open, else the file on disk. */
function readSibling(p: string): string | undefined {
  const open = documents.all().find((d) => d.uri.startsWith('file:') && fileURLToPath(d.uri) === p);
  if (open) return open.getText();
  return readIfPresent(p);
}

function pathOf(uri: string): string {
  return uri.startsWith('file:') ? fileURLToPath(uri) : uri;
}

async function validate(doc: TextDocument): Promise<void> {
  const { settings, config } = await settingsFor(doc.uri);
  const format = resolveFormat(pathOf(doc.uri), doc.languageId, () => doc.getText());
  if (!format) {
    cache.set(doc.uri, { version: doc.version, settings, fa: undefined });
    return;
  }
  const fa = analyseText(doc.getText(), format, pathOf(doc.uri), settings, readSibling);
  // A newer version may have arrived while settings were fetched; only the latest result is published.
  if (documents.get(doc.uri)?.version !== doc.version) return;
  cache.set(doc.uri, { version: doc.version, settings, fa });
  const diagnostics = forPublishing([...fa.findings, ...(probeFindings.get(doc.uri) ?? [])]).map((f) => toDiagnostic(f, doc.uri));
  if (config?.problems.length) {
    const message = `${config.path} has ${config.problems.length} problem${config.problems.length > 1 ? 's' : ''} (shown on that file)`;
    diagnostics.unshift({
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      severity: 2,
      source: 'portcullis',
      message,
    });
  }
  for (const e of settings.errors)
    diagnostics.unshift({
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      severity: 2,
      source: 'portcullis',
      message: e,
    });
  await connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
}

async function analysisOf(uri: string): Promise<{ fa: FileAnalysis; settings: ResolvedSettings } | undefined> {
  const doc = documents.get(uri);
  if (!doc) return undefined;
  let entry = cache.get(uri);
  if (!entry || entry.version !== doc.version) {
    await validate(doc);
    entry = cache.get(uri);
  }
  return entry?.fa ? { fa: entry.fa, settings: entry.settings } : undefined;
}

documents.onDidOpen((e) => void validate(e.document));
documents.onDidChangeContent((e) => void validate(e.document));
documents.onDidClose((e) => {
  cache.delete(e.document.uri);
  void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
});

connection.onDidChangeConfiguration(() => {
  reloadConfigFile();
  for (const doc of documents.all()) void validate(doc);
  if (canRefreshHints) void connection.languages.inlayHint.refresh().catch(() => undefined);
});

connection.onDidChangeWatchedFiles(() => {
  reloadConfigFile();
  for (const doc of documents.all()) void validate(doc);
});

connection.onHover(async (p) => {
  const a = await analysisOf(p.textDocument.uri);
  if (!a) return null;
  const h = hoverAt(a.fa, p.position, a.settings);
  return h ? { range: h.range, contents: { kind: 'markdown', value: h.markdown } } : null;
});

connection.onCodeAction(async (p) => {
  const a = await analysisOf(p.textDocument.uri);
  const version = documents.get(p.textDocument.uri)?.version ?? 0;
  return a ? codeActions(a.fa, { uri: p.textDocument.uri, version, snippets }, p.context.diagnostics) : [];
});

connection.languages.inlayHint.on(async (p) => {
  const a = await analysisOf(p.textDocument.uri);
  if (!a || !a.settings.inlayHints) return [];
  return inlayHints(a.fa, a.settings, p.range).map((h) => ({
    position: h.position,
    label: h.label,
    ...(h.kind ? { kind: h.kind } : {}),
    paddingLeft: true,
    ...(h.tooltip ? { tooltip: h.tooltip } : {}),
  }));
});

// Formatting needs only the text and the format, not the analysis.
function formatRequest(uri: string, options: { tabSize: number; insertSpaces: boolean }, range?: Range) {
  const doc = documents.get(uri);
  const format = doc && resolveFormat(pathOf(uri), doc.languageId);
  return doc && format ? formattingEdits(format, doc.getText(), options, range) : [];
}
connection.onDocumentFormatting((p) => formatRequest(p.textDocument.uri, p.options));
connection.onDocumentRangeFormatting((p) => formatRequest(p.textDocument.uri, p.options, p.range));

connection.onCodeLens(async (p) => {
  const a = await analysisOf(p.textDocument.uri);
  return a ? codeLenses(p.textDocument.uri, exposureGroups(serviceMatrix(a.fa.exposure), a.fa.ruleset, a.fa.lines, a.settings)) : [];
});

connection.onCompletion(async (p) => {
  const a = await analysisOf(p.textDocument.uri);
  return a ? completions(a.fa, p.position, a.settings) : [];
});

connection.onDocumentSymbol(async (p) => {
  const a = await analysisOf(p.textDocument.uri);
  return a ? documentSymbols(a.fa.ruleset) : [];
});

/** The CLI's JSON (`chains`) and text, and `groups`: the same rows worst-first with words, for views. */
async function exposureOf(uri: string): Promise<{ uri: string; chains: unknown[]; text: string; groups: unknown[] } | null> {
  const a = await analysisOf(uri);
  if (!a) return null;
  const matrix = serviceMatrix(a.fa.exposure);
  return {
    uri,
    chains: matrixJson(matrix),
    text: renderMatrix(pathOf(uri), matrix),
    groups: exposureGroups(matrix, a.fa.ruleset, a.fa.lines, a.settings),
  };
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
