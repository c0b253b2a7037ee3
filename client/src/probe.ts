/**
 * "Portcullis: Probe Ports on Host…" and "Import nmap Scan": the editor UI around the server's
 * portcullis.probe / portcullis.importScan commands (target picker, confirmation, cancellable progress,
 * results view, export). The probing itself runs in the server, so every editor gets the same.
 */
import * as vscode from 'vscode';
import type { ProbeReport } from '../../server/src/features/probe-report';
import { reportJson, reportMarkdown } from '../../server/src/features/probe-render';
import type { Connection } from './language-client';
import { ProbeResultsView } from './probe-view';

const RECENT_KEY = 'portcullis.probe.recentTargets';
const CONFIRMED_KEY = 'portcullis.probe.confirmedTargets';

/** Arguments tests and keybindings may pass to skip the pickers. */
export interface ProbeHostArgs {
  target?: string;
  ports?: string;
  udp?: boolean;
  uri?: string;
}

const isLoopback = (host: string): boolean => /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\])$/i.test(host);

export function registerProbe(context: vscode.ExtensionContext, connection: Promise<Connection>, languages: readonly string[]): void {
  const view = new ProbeResultsView();
  let last: Record<string, unknown> | undefined;

  const run = async (args: Record<string, unknown>): Promise<ProbeReport | undefined> => {
    const token = `portcullis-probe-${Date.now()}`;
    const { client, ExecuteCommandRequest, WorkDoneProgress } = await connection;
    last = args;
    const report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Portcullis: probing ${String(args.target)}`, cancellable: true },
      async (progress, cancel) => {
        let seen = 0;
        const sub = client.onProgress(WorkDoneProgress.type, token, (p) => {
          if (p.kind === 'end' || p.percentage === undefined) return;
          progress.report({ increment: p.percentage - seen, message: p.message });
          seen = p.percentage;
        });
        try {
          // Cancelling the request stops the probe; the server still answers with the ports done so far.
          return (await client.sendRequest(
            ExecuteCommandRequest.type,
            { command: 'portcullis.probe', arguments: [args], workDoneToken: token },
            cancel,
          )) as ProbeReport;
        } finally {
          sub.dispose();
        }
      },
    );
    if (report) view.show({ report, uri: args.uri as string | undefined });
    return report;
  };

  const probeHost = async (given?: ProbeHostArgs): Promise<ProbeReport | undefined> => {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Portcullis: probing hosts is disabled in untrusted workspaces.');
      return undefined;
    }
    const doc = vscode.window.activeTextEditor?.document;
    const uri = given?.uri ?? (doc && languages.includes(doc.languageId) ? doc.uri.toString() : undefined);
    const target = given?.target ?? (await pickTarget(context));
    if (!target) return undefined;
    let ports = given?.ports;
    let udp = given?.udp;
    if (ports === undefined && !given?.target) {
      const choices = [
        ...(uri
          ? [
              { label: 'Ports this file lists (TCP)', ports: undefined, udp: false },
              { label: 'Ports this file lists (TCP and UDP)', ports: undefined, udp: true },
            ]
          : []),
        { label: 'Enter ports…', ports: 'enter', udp: false },
      ];
      const choice =
        choices.length > 1 ? await vscode.window.showQuickPick(choices, { title: `Probe ${target}: which ports?` }) : choices[0];
      if (!choice) return undefined;
      udp = choice.udp;
      if (choice.ports === 'enter') {
        ports = await vscode.window.showInputBox({
          title: `Probe ${target}`,
          prompt: 'Ports to probe: 22,80,443,8000-8100 (add /udp for UDP)',
          value: '22,80,443',
        });
        if (!ports) return undefined;
      }
    }
    if (!isLoopback(target) && !context.globalState.get<string[]>(CONFIRMED_KEY, []).includes(target)) {
      // The server says which ports the probe would try, so the question shows the real count.
      const { client, ExecuteCommandRequest } = await connection;
      const plan = (await client.sendRequest(ExecuteCommandRequest.type, {
        command: 'portcullis.probePlan',
        arguments: [{ uri, ports, udp }],
      })) as { port: number; protocol: string }[];
      const shown =
        plan
          .slice(0, 8)
          .map((p) => `${p.port}/${p.protocol}`)
          .join(', ') + (plan.length > 8 ? ', …' : '');
      const ok = await vscode.window.showWarningMessage(
        `Probe ${plan.length} port${plan.length === 1 ? '' : 's'} on ${target}?`,
        {
          modal: true,
          detail: `${shown}\n\nPortcullis will open TCP connections (and send UDP datagrams to UDP ports) to this host. Probe only hosts you are responsible for.`,
        },
        'Probe',
      );
      if (ok !== 'Probe') return undefined;
      await context.globalState.update(CONFIRMED_KEY, [...context.globalState.get<string[]>(CONFIRMED_KEY, []), target]);
    }
    await remember(context, target);
    const cfg = vscode.workspace.getConfiguration('portcullis.probe');
    return run({
      uri,
      target,
      ports,
      udp,
      timeoutMs: cfg.get('timeoutMs'),
      concurrency: cfg.get('concurrency'),
      retries: cfg.get('retries'),
      banner: cfg.get('banner'),
    });
  };

  const importScan = async (given?: { path?: string; uri?: string }): Promise<ProbeReport | undefined> => {
    const doc = vscode.window.activeTextEditor?.document;
    const uri = given?.uri ?? doc?.uri.toString();
    let file = given?.path;
    if (!file) {
      const picked = await vscode.window.showOpenDialog({
        title: 'Import an nmap scan (nmap -oX)',
        filters: { 'nmap XML': ['xml'] },
        canSelectMany: false,
      });
      file = picked?.[0]?.fsPath;
    }
    if (!file) return undefined;
    const { client, ExecuteCommandRequest } = await connection;
    const report = (await client.sendRequest(ExecuteCommandRequest.type, {
      command: 'portcullis.importScan',
      arguments: [{ uri, path: file }],
    })) as ProbeReport;
    view.show({ report, uri });
    return report;
  };

  const exportAs = async (kind: 'json' | 'md'): Promise<void> => {
    if (!view.shown) return;
    const { report } = view.shown;
    const dest = await vscode.window.showSaveDialog({
      filters: kind === 'json' ? { JSON: ['json'] } : { Markdown: ['md'] },
      title: 'Export probe results',
    });
    if (!dest) return;
    const text = kind === 'json' ? JSON.stringify(reportJson(report), null, 2) + '\n' : reportMarkdown(report);
    await vscode.workspace.fs.writeFile(dest, Buffer.from(text, 'utf8'));
  };

  context.subscriptions.push(
    vscode.window.registerTreeDataProvider('portcullis.probeResults', view),
    vscode.commands.registerCommand('portcullis.probeHost', reportingErrors(probeHost)),
    vscode.commands.registerCommand('portcullis.importNmapScan', reportingErrors(importScan)),
    vscode.commands.registerCommand('portcullis.probeResults.rerun', () => (last ? run(last) : probeHost())),
    vscode.commands.registerCommand('portcullis.probeResults.exportJson', () => exportAs('json')),
    vscode.commands.registerCommand('portcullis.probeResults.exportMarkdown', () => exportAs('md')),
    vscode.commands.registerCommand('portcullis.probeResults.reveal', async (uri: string, line: number) => {
      const shown = await vscode.window.showTextDocument(vscode.Uri.parse(uri));
      const range = shown.document.lineAt(Math.min(line, shown.document.lineCount - 1)).range;
      shown.selection = new vscode.Selection(range.start, range.end);
      shown.revealRange(range, vscode.TextEditorRevealType.InCenter);
    }),
  );
}

/** Errors from the server (a bad port list, an unknown host, a malformed scan) become an error message. */
function reportingErrors<A extends unknown[], R>(fn: (...args: A) => Promise<R | undefined>): (...args: A) => Promise<R | undefined> {
  return async (...args) => {
    try {
      return await fn(...args);
    } catch (e) {
      void vscode.window.showErrorMessage(`Portcullis: ${(e as Error).message}`);
      return undefined;
    }
  };
}

/** A picker of recent targets that also takes a new one; the setting's default comes first. */
async function pickTarget(context: vscode.ExtensionContext): Promise<string | undefined> {
  const fallback = vscode.workspace.getConfiguration('portcullis.probe').get<string>('defaultTarget') || '127.0.0.1';
  const recent = [...new Set([...context.globalState.get<string[]>(RECENT_KEY, []), fallback])];
  const qp = vscode.window.createQuickPick();
  qp.title = 'Portcullis: probe which host?';
  qp.placeholder = 'Host name or address (type a new one, or pick a recent one)';
  qp.items = recent.map((label) => ({ label }));
  return new Promise((resolve) => {
    qp.onDidAccept(() => {
      resolve((qp.selectedItems[0]?.label ?? qp.value).trim() || undefined);
      qp.hide();
    });
    qp.onDidHide(() => {
      resolve(undefined);
      qp.dispose();
    });
    qp.show();
  });
}

async function remember(context: vscode.ExtensionContext, target: string): Promise<void> {
  const list = [target, ...context.globalState.get<string[]>(RECENT_KEY, []).filter((t) => t !== target)].slice(0, 10);
  await context.globalState.update(RECENT_KEY, list);
}
