/** The Portcullis panel's "Probe Results" tree: one row per port, drift first; clicking a row reveals its rule. */
import * as vscode from 'vscode';
import type { ProbeReport, ReportRow } from '../../server/src/features/probe-report';
import { summary } from '../../server/src/features/probe-render';

export interface Shown {
  report: ProbeReport;
  /** The file the ports came from, if any. */
  uri?: string;
}

const ICONS: Record<string, [string, string]> = {
  open: ['pass-filled', 'testing.iconPassed'],
  closed: ['circle-slash', 'disabledForeground'],
  filtered: ['shield', 'charts.yellow'],
  'open|filtered': ['question', 'charts.yellow'],
  unreachable: ['error', 'testing.iconFailed'],
};

export class ProbeResultsView implements vscode.TreeDataProvider<ReportRow | 'head'> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  shown: Shown | undefined;

  show(s: Shown): void {
    this.shown = s;
    this.changed.fire();
    // The user asked for this probe: bring its results into view (the panel, beside Problems).
    void Promise.resolve(vscode.commands.executeCommand('setContext', 'portcullis.hasProbeResults', true)).then(() =>
      vscode.commands.executeCommand('portcullis.probeResults.focus', { preserveFocus: true }),
    );
  }

  getChildren(el?: ReportRow | 'head'): (ReportRow | 'head')[] {
    if (el || !this.shown) return [];
    // Rows where reality differs from the file come first: they are why one probes.
    const rows = [...this.shown.report.results].sort((a, b) => Number(!!b.drift) - Number(!!a.drift) || a.port - b.port);
    return ['head', ...rows];
  }

  getTreeItem(el: ReportRow | 'head'): vscode.TreeItem {
    const r = this.shown!.report;
    if (el === 'head') {
      const item = new vscode.TreeItem(`${r.target}${r.address !== r.target ? ` (${r.address})` : ''}`);
      item.description = `${r.source}, ${new Date(r.at).toLocaleString()}${r.cancelled ? ', cancelled' : ''} — ${summary(r)}`;
      item.iconPath = new vscode.ThemeIcon(r.notes.length ? 'warning' : 'radio-tower');
      if (r.notes.length) item.tooltip = r.notes.join('\n');
      return item;
    }
    const item = new vscode.TreeItem(`${el.port}/${el.protocol}  ${el.state}`);
    const parts = [el.service, el.expected && `expected ${el.expected}`, `${el.latencyMs} ms`, el.banner].filter(Boolean);
    item.description = (el.drift ? `⚠ differs from the file (${el.drift}) · ` : '') + parts.join(' · ');
    const [icon, color] = el.drift ? ['warning', 'problemsWarningIcon.foreground'] : (ICONS[el.state] ?? ['circle-outline', 'foreground']);
    item.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
    item.tooltip = new vscode.MarkdownString(
      `**${el.port}/${el.protocol}**${el.service ? ` (${el.service})` : ''}: **${el.state}** — ${el.reason}, ${el.latencyMs} ms` +
        (el.expected
          ? `\n\nThe file ${el.expected === 'open' ? 'opens it to everyone' : el.expected === 'blocked' ? 'blocks it' : 'opens it to some sources'}.`
          : '') +
        (el.banner ? `\n\nBanner: \`${el.banner.replace(/`/g, "'")}\`` : ''),
    );
    if (el.line !== undefined && this.shown?.uri)
      item.command = { command: 'portcullis.probeResults.reveal', title: 'Reveal Rule', arguments: [this.shown.uri, el.line] };
    return item;
  }
}
