/**
 * The VS Code side of Portcullis: starts the language server and contributes what only an editor UI can do.
 * Everything another editor could use lives in the server.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

let client: LanguageClient | undefined;

export const LANGUAGES = ['iptables', 'nftables', 'pf', 'firewalld'];

export async function activate(context: vscode.ExtensionContext): Promise<{ client: LanguageClient }> {
  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    // Same flag as the bin's shebang: keeps resident memory low on large rulesets.
    run: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--max-semi-space-size=2'] } },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6011', '--max-semi-space-size=2'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: LANGUAGES.flatMap((language) => [{ scheme: 'file', language }, { scheme: 'untitled', language }]),
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/.portcullis.json') },
  };
  client = new LanguageClient('portcullis', 'Portcullis', serverOptions, clientOptions);
  await client.start();
  context.subscriptions.push(client);
  return { client };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
