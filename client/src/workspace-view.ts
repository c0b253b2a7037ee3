/**
 * The Portcullis panel's "Workspace Exposure" tree: file → resource → port/protocol → sources, worst first,
 * from the server's `portcullis.workspaceExposure` command; refreshed on save; clicking a row reveals its line.
 */
import * as vscode from 'vscode';
import type { Connection } from './language-client';
import type { FileNode, PortNode, ResourceNode, SourceNode, WorkspaceExposureResult } from '../../server/src/features/workspace-exposure';

type File = WorkspaceExposureResult['files'][number];
type Node =
  | { kind: 'file'; file: File }
  | { kind: 'resource'; file: File; res: ResourceNode }
  | { kind: 'port'; file: File; port: PortNode }
  | { kind: 'source'; file: File; src: SourceNode }
  | { kind: 'note'; text: string; tooltip?: string };

/** Icon and colour for a score (features/workspace-exposure.ts: internet 8+, +3 for a high-risk port; networks 4+). */
function icon(score: number): vscode.ThemeIcon {
  if (score >= 11) return new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'));
  if (score >= 8) return new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
  if (score >= 4) return new vscode.ThemeIcon('shield', new vscode.ThemeColor('problemsInfoIcon.foreground'));
  return new vscode.ThemeIcon('lock', new vscode.ThemeColor('disabledForeground'));
}

export class WorkspaceExposureView implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private result: WorkspaceExposureResult | null | undefined;
  private error: string | undefined;
  private pending: Promise<void> | undefined;

  constructor(private readonly connection: Promise<Connection>) {}

  /** Asks the server again; overlapping refreshes share one request. */
  refresh(): Promise<void> {
    this.pending ??= (async () => {
      try {
        const { client, ExecuteCommandRequest } = await this.connection;
        this.result = (await client.sendRequest(ExecuteCommandRequest.type, {
          command: 'portcullis.workspaceExposure',
          arguments: [],
        })) as WorkspaceExposureResult | null;
        this.error = undefined;
      } catch (e) {
        this.error = (e as Error).message;
      } finally {
        this.pending = undefined;
        this.changed.fire();
      }
    })();
    return this.pending;
  }

  /** The latest answer, for tests and other commands. */
  get latest(): WorkspaceExposureResult | null | undefined {
    return this.result;
  }

  getChildren(el?: Node): Node[] {
    if (!el) {
      if (this.error) return [{ kind: 'note', text: `Cannot analyse the workspace: ${this.error}` }];
      if (!this.result) return [];
      const notes: Node[] = [];
      if (this.result.error) notes.push({ kind: 'note', text: this.result.error });
      for (const f of this.result.findings) notes.push({ kind: 'note', text: `${f.code}: ${f.message.split(':')[0]}`, tooltip: f.message });
      if (this.result.truncated) notes.push({ kind: 'note', text: 'File limit reached: not every file was analysed' });
      return [...notes, ...this.result.files.map((file) => ({ kind: 'file' as const, file }))];
    }
    if (el.kind === 'file') return el.file.resources.map((res) => ({ kind: 'resource', file: el.file, res }));
    if (el.kind === 'resource') return el.res.ports.map((port) => ({ kind: 'port', file: el.file, port }));
    if (el.kind === 'port') return el.port.sources.map((src) => ({ kind: 'source', file: el.file, src }));
    return [];
  }

  getTreeItem(el: Node): vscode.TreeItem {
    const collapsed = vscode.TreeItemCollapsibleState.Collapsed;
    const expanded = vscode.TreeItemCollapsibleState.Expanded;
    if (el.kind === 'note') {
      const item = new vscode.TreeItem(el.text);
      item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
      item.tooltip = el.tooltip ?? el.text;
      return item;
    }
    if (el.kind === 'file') return fileItem(el.file, el.file.score >= 8 ? expanded : collapsed);
    const reveal = (line: number): vscode.Command => ({
      command: 'portcullis.workspaceExposure.reveal',
      title: 'Reveal Line',
      arguments: [el.file.uri, line],
    });
    if (el.kind === 'resource') {
      const item = new vscode.TreeItem(el.res.name, el.res.score >= 8 ? expanded : collapsed);
      item.description = el.res.table;
      item.iconPath = icon(el.res.score);
      item.command = reveal(el.res.line);
      return item;
    }
    if (el.kind === 'port') {
      const item = new vscode.TreeItem(el.port.label, el.port.score >= 8 ? expanded : collapsed);
      item.iconPath = icon(el.port.score);
      item.command = reveal(el.port.line);
      return item;
    }
    const s = el.src;
    const item = new vscode.TreeItem(`from ${s.label}`);
    item.description = [s.reach, s.risk && `${s.risk} risk`, s.approximate && 'approximate', ...s.codes, `line ${s.line + 1}`]
      .filter(Boolean)
      .join(' · ');
    item.tooltip = `${s.family === 'ipv6' ? 'IPv6' : 'IPv4'} sources: ${s.sources.join(', ') || 'none'}${s.interface ? `\nInterface: ${s.interface}` : ''}`;
    item.iconPath = icon(s.score);
    item.command = reveal(s.line);
    return item;
  }
}

function fileItem(f: File & FileNode, state: vscode.TreeItemCollapsibleState): vscode.TreeItem {
  const uri = vscode.Uri.parse(f.uri);
  const item = new vscode.TreeItem(uri, f.error || !f.resources.length ? vscode.TreeItemCollapsibleState.None : state);
  const rel = vscode.workspace.asRelativePath(uri, false);
  item.description = [
    rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '',
    f.language,
    f.error && `error: ${f.error}`,
    !f.error && !f.resources.length && 'exposes nothing',
  ]
    .filter(Boolean)
    .join(' · ');
  item.iconPath = f.error ? new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground')) : icon(f.score);
  item.command = { command: 'portcullis.workspaceExposure.reveal', title: 'Open File', arguments: [f.uri, f.resources[0]?.line ?? 0] };
  return item;
}

export function registerWorkspaceExposure(context: vscode.ExtensionContext, connection: Promise<Connection>): WorkspaceExposureView {
  const view = new WorkspaceExposureView(connection);
  let timer: NodeJS.Timeout | undefined;
  const refresh = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => void view.refresh(), 300);
  };
  const tree = vscode.window.createTreeView('portcullis.workspaceExposure', { treeDataProvider: view, showCollapseAll: true });
  context.subscriptions.push(
    tree,
    tree.onDidChangeVisibility((e) => e.visible && view.latest === undefined && refresh()),
    { dispose: () => clearTimeout(timer) },
    vscode.commands.registerCommand('portcullis.workspaceExposure.refresh', () => view.refresh()),
    vscode.commands.registerCommand('portcullis.workspaceExposure.reveal', async (uri: string, line: number) => {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
      const shown = await vscode.window.showTextDocument(doc);
      const l = Math.min(line, doc.lineCount - 1);
      shown.selection = new vscode.Selection(l, doc.lineAt(l).firstNonWhitespaceCharacterIndex, l, doc.lineAt(l).range.end.character);
      shown.revealRange(doc.lineAt(l).range, vscode.TextEditorRevealType.InCenter);
    }),
    // Any saved file may be one the server recognises by content (YAML), or the workspace's .portcullis.json.
    vscode.workspace.onDidSaveTextDocument(refresh),
    vscode.workspace.onDidCreateFiles(refresh),
    vscode.workspace.onDidDeleteFiles(refresh),
    vscode.workspace.onDidChangeWorkspaceFolders(refresh),
  );
  if (tree.visible) refresh();
  return view;
}
