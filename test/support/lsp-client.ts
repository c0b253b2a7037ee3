/** Drives the bundled language server over stdio exactly as an editor would. */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { REPO } from './corpus';

export class LspClient {
  readonly conn: MessageConnection;
  private readonly proc: ChildProcess;
  private readonly diags = new Map<string, PublishDiagnosticsParams>();
  private readonly waiters: (() => void)[] = [];
  stderr = '';
  /** `$/progress` notifications in arrival order, and the tokens the server asked to create. */
  readonly progress: { token: string | number; value: { kind: string; percentage?: number; message?: string; cancellable?: boolean } }[] =
    [];
  readonly createdProgress: (string | number)[] = [];
  /** window/logMessage notifications (the Portcullis output channel in VS Code). */
  readonly logs: { type: number; message: string }[] = [];

  /** The server's process id, for resident-memory checks. */
  get pid(): number {
    return this.proc.pid!;
  }

  /**
   * `nodeArgs`: flags for node, e.g. server/src/node-flags.json's, which the bin's shebang and the VS Code client pass;
   * `server`: another build of the server (benchmarks compare two); `env`: added to the server's environment.
   */
  constructor(opts: { configuration?: Record<string, unknown>; nodeArgs?: string[]; server?: string; env?: Record<string, string> } = {}) {
    this.proc = spawn(process.execPath, [...(opts.nodeArgs ?? []), opts.server ?? path.join(REPO, 'dist/server.js'), '--stdio'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...opts.env },
    });
    this.proc.stderr!.on('data', (d) => (this.stderr += d));
    this.conn = createMessageConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.diags.set(p.uri, p);
      this.waiters.splice(0).forEach((w) => w());
    });
    this.conn.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) => p.items.map(() => opts.configuration ?? {}));
    this.conn.onRequest('client/registerCapability', () => null);
    this.conn.onRequest('window/workDoneProgress/create', (p: { token: string | number }) => {
      this.createdProgress.push(p.token);
      return null;
    });
    this.conn.onNotification('$/progress', (p: LspClient['progress'][number]) => this.progress.push(p));
    this.conn.onNotification('window/showMessage', () => undefined);
    this.conn.onNotification('window/logMessage', (p: { type: number; message: string }) => this.logs.push(p));
    this.conn.listen();
  }

  /** `extra.workspace` adds workspace capabilities; `extra.initializationOptions` is sent as is. */
  async initialize(
    rootUri: string | null = null,
    withConfiguration = true,
    workDoneProgress = false,
    extra: { workspace?: object; initializationOptions?: object } = {},
  ): Promise<unknown> {
    const res = await this.conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri,
      capabilities: {
        workspace: { configuration: withConfiguration, ...extra.workspace },
        textDocument: { hover: { contentFormat: ['markdown'] } },
        window: { workDoneProgress },
      },
      ...(extra.initializationOptions ? { initializationOptions: extra.initializationOptions } : {}),
    });
    await this.conn.sendNotification('initialized', {});
    return res;
  }

  open(uri: string, text: string, languageId = 'iptables', version = 1): Promise<void> {
    return this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
  }

  change(uri: string, version: number, changes: unknown[]): Promise<void> {
    return this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
  }

  /** Waits (bounded) until diagnostics for `uri` satisfy `ok`. */
  async diagnostics(
    uri: string,
    ok: (d: Diagnostic[], version?: number) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<Diagnostic[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const p = this.diags.get(uri);
      if (p && ok(p.diagnostics, p.version)) return p.diagnostics;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `no matching diagnostics for ${uri} within ${timeoutMs} ms; last: ${JSON.stringify(p?.diagnostics.map((d) => d.code))}\n${this.stderr}`,
        );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  request<T>(method: string, params: unknown): Promise<T> {
    return this.conn.sendRequest(method, params) as Promise<T>;
  }

  async close(): Promise<void> {
    try {
      await Promise.race([this.conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
      await this.conn.sendNotification('exit');
    } catch {
      /* already gone */
    }
    this.conn.dispose();
    const exited = new Promise((r) => this.proc.once('exit', r));
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
    if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
  }
}
