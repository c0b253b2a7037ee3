/**
 * The VS Code side of Portcullis: starts the language server and contributes what only an editor UI can do.
 * Everything another editor could use lives in the server.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { contributedLanguages } from './languages';
import { registerProbe } from './probe';

let client: LanguageClient | undefined;


export async function activate(context: vscode.ExtensionContext): Promise<{ client: LanguageClient; ready: Promise<void> }> {
  const languages = contributedLanguages(context.extension);
  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    // Same flag as the bin's shebang: keeps resident memory low on large rulesets.
    run: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--max-semi-space-size=2'] } },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6011', '--max-semi-space-size=2'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: languages.flatMap((language) => [{ scheme: 'file', language }, { scheme: 'untitled', language }]),
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/.portcullis.json') },
  };
  client = new LanguageClient('portcullis', 'Portcullis', serverOptions, clientOptions);
  // Activation does not wait for the server: the client queues requests until it is up, and VS Code stays
  // responsive while node starts the server process.
  const ready = client.start().catch((e: unknown) => {
    void vscode.window.showErrorMessage(`Portcullis: the language server did not start: ${(e as Error).message}`);
  });
  context.subscriptions.push(client, vscode.commands.registerCommand('portcullis.showExposure', showExposure));
  registerProbe(context, client, languages);
  return { client, ready };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}

interface ExposureEntry {
  protocol: string;
  ports: [number, number][];
  sources: string[];
  interface?: string;
  rules: { line: number }[];
  policy?: boolean;
  approximate: boolean;
}

/** "Portcullis: Show Exposure": the server's service matrix as a list; picking a row reveals its rule. */
async function showExposure(uri?: vscode.Uri): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const target = uri ?? editor?.document.uri;
  if (!client || !target) {
    void vscode.window.showInformationMessage('Portcullis: open a firewall configuration file first.');
    return;
  }
  const result = (await client.sendRequest('workspace/executeCommand', { command: 'portcullis.exposure', arguments: [target.toString()] })) as { chains: { table: string; chain: string; family: string; entries: ExposureEntry[] }[] } | null;
  if (!result) {
    void vscode.window.showInformationMessage('Portcullis: this file is not a supported firewall configuration.');
    return;
  }
  const items = result.chains.flatMap((c) =>
    c.entries.map((e) => ({
      label: `${e.protocol.toUpperCase()} ${e.ports.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(',')}`,
      description: `from ${e.sources.length > 3 ? `${e.sources.slice(0, 3).join(', ')} +${e.sources.length - 3}` : e.sources.join(', ')}${e.interface ? ` on ${e.interface}` : ''}`,
      detail: `${c.table}/${c.chain} (${c.family}) — ${e.rules.length ? `line ${e.rules.map((r) => r.line + 1).join(', ')}` : ''}${e.policy ? ' policy ACCEPT' : ''}${e.approximate ? ' — approximate' : ''}`,
      line: e.rules[e.rules.length - 1]?.line,
    })),
  );
  const pick = await vscode.window.showQuickPick(items, { title: 'Portcullis: who can reach which port', matchOnDescription: true, matchOnDetail: true });
  if (pick?.line === undefined) return;
  const doc = await vscode.workspace.openTextDocument(target);
  const shown = await vscode.window.showTextDocument(doc);
  const pos = new vscode.Position(pick.line, 0);
  shown.selection = new vscode.Selection(pos, doc.lineAt(pick.line).range.end);
  shown.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenter);
}
