/**
 * The VS Code side of Portcullis: starts the language server and contributes what only an editor UI can do.
 * Everything another editor could use lives in the server.
 */
import { loadStarted } from './load-mark';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { contributedLanguages } from './languages';
import type { ExposureGroup } from '../../server/src/features/exposure-rows';
import { ExposureView, type Node } from './exposure-view';
import type { Connection } from './language-client';
import { registerProbe } from './probe';
import { registerWorkspaceExposure, type WorkspaceExposureView } from './workspace-view';
import { registerSniff } from './sniff';

let client: LanguageClient | undefined;
/** The bundle has loaded once this line runs (the entry module's body comes after every module it imports). */
const loadEnded = performance.now();

export async function activate(
  context: vscode.ExtensionContext,
): Promise<{
  client: Promise<LanguageClient>;
  ready: Promise<void>;
  exposure: { view: ExposureView; tree: vscode.TreeView<Node> };
  workspaceExposure: WorkspaceExposureView;
  /** performance.now() when the bundle started and ended loading, when activate was called and when it returned. */
  timing: { loadStarted: number; loadEnded: number; activateStarted: number; activateEnded: number };
}> {
  const activateStarted = performance.now();
  const languages = contributedLanguages(context.extension);
  // Activation only registers views and commands. The language client (most of the client's code) is loaded and
  // started on the next turn of the event loop, and neither step is awaited: the client queues requests until
  // the server is up, and VS Code stays responsive while node starts the server process.
  const connection = new Promise((next) => setImmediate(next)).then((): Connection => {
    const c = (require('./language-client') as typeof import('./language-client')).createConnection(context, languages);
    client = c.client;
    context.subscriptions.push(c.client);
    return c;
  });
  const ready = connection
    .then((c) => c.client.start())
    .catch((e: unknown) => {
      void vscode.window.showErrorMessage(`Portcullis: the language server did not start: ${(e as Error).message}`);
    });
  const exposure = registerExposure(context, connection, languages);
  registerProbe(context, connection, languages);
  registerSniff(context);
  const workspaceExposure = registerWorkspaceExposure(context, connection);
  const timing = { loadStarted, loadEnded, activateStarted, activateEnded: performance.now() };
  return { client: connection.then((c) => c.client), ready, exposure, workspaceExposure, timing };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}

/**
 * The Exposure view and the editor commands around it: "Show Exposure" (palette, code lenses: opens the view
 * at a chain), the view's filter, and the snippet insertion the server's quick fixes ask for.
 */
function registerExposure(
  context: vscode.ExtensionContext,
  connection: Promise<Connection>,
  languages: readonly string[],
): { view: ExposureView; tree: vscode.TreeView<Node> } {
  const view = new ExposureView();
  const tree = vscode.window.createTreeView<Node>('portcullis.exposure', { treeDataProvider: view, showCollapseAll: true });
  const describe = () => {
    tree.message = view.filter ? `Filter: "${view.filter}" — ${view.visibleRows().length} row(s)` : undefined;
    tree.description = view.uri ? vscode.workspace.asRelativePath(view.uri) : undefined;
  };

  const load = async (target: vscode.Uri): Promise<boolean> => {
    const { client: lc } = await connection;
    const result = (await lc.sendRequest('workspace/executeCommand', {
      command: 'portcullis.exposure',
      arguments: [target.toString()],
    })) as { groups: ExposureGroup[] } | null;
    if (!result) return false;
    view.show(target, result.groups);
    describe();
    return true;
  };

  const show = async (uri?: vscode.Uri | string, at?: { table: string; chain: string }): Promise<void> => {
    const target =
      typeof uri === 'string' ? vscode.Uri.parse(uri) : uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
    if (!target) {
      void vscode.window.showInformationMessage('Portcullis: open a firewall configuration file first.');
      return;
    }
    if (!(await load(target))) {
      void vscode.window.showInformationMessage('Portcullis: this file is not a supported firewall configuration.');
      return;
    }
    await vscode.commands.executeCommand('portcullis.exposure.focus');
    const node = at ? view.groupNode(at.table, at.chain) : view.getChildren()[0];
    if (node) await tree.reveal(node, { select: true, focus: false, expand: true });
  };

  // Follow the active editor and its edits while the view has a file, so it never shows stale rows.
  let timer: NodeJS.Timeout | undefined;
  const follow = (doc: vscode.TextDocument | undefined) => {
    if (!doc || !tree.visible || !languages.includes(doc.languageId)) return;
    clearTimeout(timer);
    timer = setTimeout(() => void load(doc.uri).catch(() => undefined), 400);
  };

  context.subscriptions.push(
    tree,
    vscode.commands.registerCommand('portcullis.showExposure', show),
    vscode.commands.registerCommand('portcullis.exposure.filter', async (text?: string) => {
      const value =
        typeof text === 'string'
          ? text
          : await vscode.window.showInputBox({
              title: 'Filter the exposure rows',
              prompt: 'port, service, risk, source or line (e.g. ssh, 3389, RDP, internet, 10.0.0.0/8)',
              value: view.filter,
            });
      if (value === undefined) return;
      view.setFilter(value);
      describe();
      await vscode.commands.executeCommand('setContext', 'portcullis.exposureFiltered', !!view.filter);
    }),
    vscode.commands.registerCommand('portcullis.exposure.clearFilter', async () => {
      view.setFilter('');
      describe();
      await vscode.commands.executeCommand('setContext', 'portcullis.exposureFiltered', false);
    }),
    vscode.commands.registerCommand('portcullis.exposure.refresh', () => (view.uri ? load(view.uri) : show())),
    vscode.window.onDidChangeActiveTextEditor((e) => follow(e?.document)),
    vscode.workspace.onDidChangeTextDocument((e) =>
      view.uri && e.document.uri.toString() === view.uri.toString() ? follow(e.document) : undefined,
    ),
    // The server's APPLY_SNIPPET_COMMAND (server/src/features/snippets.ts).
    vscode.commands.registerCommand('portcullis.applySnippet', applySnippet),
  );
  return { view, tree };
}

/** Inserts a quick fix's text as a snippet, so its placeholder (the network, the reason) is selected for typing. */
async function applySnippet(
  uri: string,
  range: { start: { line: number; character: number }; end: { line: number; character: number } },
  snippet: string,
): Promise<boolean> {
  const target = vscode.Uri.parse(uri);
  const editor =
    vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === target.toString()) ??
    (await vscode.window.showTextDocument(target));
  if (vscode.window.activeTextEditor !== editor) await vscode.window.showTextDocument(editor.document, editor.viewColumn);
  const r = new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
  return editor.insertSnippet(new vscode.SnippetString(snippet), r);
}
