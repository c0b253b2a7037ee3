/**
 * The Portcullis language server: wiring only. Documents are parsed and analysed by the pipeline; features
 * turn the results into LSP answers. Runs over stdio (`portcullis-language-server --stdio`) or node IPC.
 */
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  createConnection,
  DidChangeConfigurationNotification,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { resolveSettings, type ResolvedSettings, type Settings } from './analysis/settings';
import { definedOnly, loadConfigFile } from './config-file';
import { codeActions } from './features/code-actions';
import { toDiagnostic } from './features/diagnostics';
import { hoverAt } from './features/hover';
import { documentSymbols } from './features/symbols';
import { completions } from './features/completion';
import { matrixJson, serviceMatrix } from './analysis/matrix';
import { renderMatrix } from './features/exposure-view';
import { analyseText, resolveFormat, type FileAnalysis } from './pipeline';

if (process.argv.includes('--version')) {
  process.stdout.write(`portcullis-language-server ${require('../../package.json').version}\n`);
  process.exit(0);
}
if (process.argv.includes('--help')) {
  process.stdout.write('usage: portcullis-language-server --stdio\n\nA language server for firewall and service-port configuration files.\n');
  process.exit(0);
}

/** Returns the service matrix of an open document: `{ chains: [...], text }` (see docs/exposure.md). */
const EXPOSURE_COMMAND = 'portcullis.exposure';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const cache = new Map<string, { version: number; settings: ResolvedSettings; fa: FileAnalysis | undefined }>();
let canPullConfig = false;
let workspaceRoot: string | undefined;
let fileSettings: Partial<Settings> = {};

connection.onInitialize((params: InitializeParams): InitializeResult => {
  canPullConfig = !!params.capabilities.workspace?.configuration;
  const root = params.workspaceFolders?.[0]?.uri ?? params.rootUri ?? undefined;
  workspaceRoot = root?.startsWith('file:') ? fileURLToPath(root) : undefined;
  reloadConfigFile();
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      codeActionProvider: { codeActionKinds: ['quickfix'] },
      documentSymbolProvider: true,
      completionProvider: { triggerCharacters: [' ', '-', ','] },
      executeCommandProvider: { commands: [EXPOSURE_COMMAND] },
    },
    serverInfo: { name: 'portcullis', version: require('../../package.json').version },
  };
});

connection.onInitialized(() => {
  if (canPullConfig) void connection.client.register(DidChangeConfigurationNotification.type, { section: 'portcullis' }).catch(() => undefined);
});

function reloadConfigFile(): void {
  if (!workspaceRoot) return;
  const loaded = loadConfigFile(workspaceRoot);
  fileSettings = definedOnly(loaded.settings);
  if (loaded.error) connection.window.showWarningMessage(`Portcullis: cannot read ${loaded.error}`);
}

async function settingsFor(uri: string): Promise<ResolvedSettings> {
  let editor: Partial<Settings> = {};
  if (canPullConfig) {
    try {
      editor = definedOnly(((await connection.workspace.getConfiguration({ scopeUri: uri, section: 'portcullis' })) ?? {}) as Partial<Settings>);
    } catch {
      editor = {};
    }
  }
  // Editor settings win over the workspace file, which wins over defaults; empty editor lists defer to the file.
  const merged: Partial<Settings> = { ...fileSettings };
  for (const [k, v] of Object.entries(editor)) if (!(Array.isArray(v) && v.length === 0) && !(typeof v === 'object' && v && Object.keys(v).length === 0)) (merged as Record<string, unknown>)[k] = v;
  return resolveSettings(merged);
}

/** The sibling file's text: the open buffer if the user has it open, else the file on disk. */
function readSibling(p: string): string | undefined {
  const open = documents.all().find((d) => d.uri.startsWith('file:') && fileURLToPath(d.uri) === p);
  if (open) return open.getText();
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}

function pathOf(uri: string): string {
  return uri.startsWith('file:') ? fileURLToPath(uri) : uri;
}

async function validate(doc: TextDocument): Promise<void> {
  const settings = await settingsFor(doc.uri);
  const format = resolveFormat(pathOf(doc.uri), doc.languageId);
  if (!format) {
    cache.set(doc.uri, { version: doc.version, settings, fa: undefined });
    return;
  }
  const fa = analyseText(doc.getText(), format, pathOf(doc.uri), settings, readSibling);
  // A newer version may have arrived while settings were fetched; only the latest result is published.
  if (documents.get(doc.uri)?.version !== doc.version) return;
  cache.set(doc.uri, { version: doc.version, settings, fa });
  const diagnostics = fa.findings.map((f) => toDiagnostic(f, doc.uri));
  for (const e of settings.errors) diagnostics.unshift({ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: 2, source: 'portcullis', message: e });
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
  return a ? codeActions(a.fa, p.textDocument.uri, p.context.diagnostics) : [];
});

connection.onCompletion(async (p) => {
  const a = await analysisOf(p.textDocument.uri);
  return a ? completions(a.fa, p.position) : [];
});

connection.onDocumentSymbol(async (p) => {
  const a = await analysisOf(p.textDocument.uri);
  return a ? documentSymbols(a.fa.ruleset) : [];
});

async function exposureOf(uri: string): Promise<{ uri: string; chains: unknown[]; text: string } | null> {
  const a = await analysisOf(uri);
  if (!a) return null;
  const matrix = serviceMatrix(a.fa.exposure);
  return { uri, chains: matrixJson(matrix), text: renderMatrix(pathOf(uri), matrix) };
}

connection.onRequest('portcullis/exposure', (p: { textDocument: { uri: string } }) => exposureOf(p.textDocument.uri));

connection.onExecuteCommand(async (p) => {
  if (p.command === EXPOSURE_COMMAND) {
    const uri = typeof p.arguments?.[0] === 'string' ? p.arguments[0] : (p.arguments?.[0] as { uri?: string } | undefined)?.uri;
    if (!uri) throw new Error(`${EXPOSURE_COMMAND} needs the document URI as its first argument`);
    return exposureOf(uri);
  }
  throw new Error(`unknown command ${p.command}`);
});

documents.listen(connection);
connection.listen();
