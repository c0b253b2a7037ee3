/**
 * The language client: the only module that loads vscode-languageclient, nine tenths of the client's code. The
 * extension loads it (dist/language-client.js) just after activation returns, so activation registers the
 * views and commands without waiting for it; they use the client through `Connection` once it is there.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import nodeFlags from '../../server/src/node-flags.json';
import {
  ExecuteCommandRequest,
  LanguageClient,
  TransportKind,
  WorkDoneProgress,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';

/** Generic languages whose files the server claims by content (CloudFormation, ARM templates) or ignores. */
const CONTENT_LANGUAGES = ['yaml', 'json'];

/** The started client with the protocol types the commands need. */
export interface Connection {
  client: LanguageClient;
  ExecuteCommandRequest: typeof ExecuteCommandRequest;
  WorkDoneProgress: typeof WorkDoneProgress;
}

export function createConnection(context: vscode.ExtensionContext, languages: readonly string[]): Connection {
  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    // The flags the bin's shebang passes (server/src/node-flags.json).
    run: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: nodeFlags.server } },
    debug: {
      module: serverModule,
      transport: TransportKind.ipc,
      options: { execArgv: ['--nolazy', '--inspect=6011', ...nodeFlags.server] },
    },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      ...languages.flatMap((language) => [
        { scheme: 'file', language },
        { scheme: 'untitled', language },
      ]),
      ...CONTENT_LANGUAGES.map((language) => ({ scheme: 'file', language })),
    ],
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/.portcullis.json') },
    // Quick fixes that need a value come back as portcullis.applySnippet commands (server/src/features/snippets.ts).
    initializationOptions: { snippetCommand: true },
  };
  const client = new LanguageClient('portcullis', 'Portcullis', serverOptions, clientOptions);
  return { client, ExecuteCommandRequest, WorkDoneProgress };
}
