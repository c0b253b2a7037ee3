/**
 * The Portcullis panel's "Exposure" tree: the server's exposure rows for one file (portcullis.exposure →
 * `groups`), per chain/zone/resource, worst first. Rows expand to their sources (in words, then as networks)
 * and the rules that decide them, which open the file at the rule. Only rendering lives here: the rows, their
 * order and wording come from the server (server/src/features/exposure-rows.ts).
 */
import * as vscode from 'vscode';
import type { ExposureGroup, ExposureRow } from '../../server/src/features/exposure-rows';

export type Node =
  | { kind: 'group'; group: ExposureGroup }
  | { kind: 'row'; row: ExposureRow; group: ExposureGroup }
  | { kind: 'sources'; row: ExposureRow; group: ExposureGroup }
  | { kind: 'cidr'; text: string; parent: Node }
  | { kind: 'rule'; line: number; text: string; parent: Node }
  | { kind: 'note'; text: string; icon: string; parent: Node };

const REACH_ICON: Record<ExposureRow['reach'], [string, string]> = {
  internet: ['globe', 'charts.yellow'],
  networks: ['shield', 'charts.blue'],
  local: ['home', 'disabledForeground'],
};

export class ExposureView implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  uri: vscode.Uri | undefined;
  groups: ExposureGroup[] = [];
  filter = '';
  private roots: Node[] = [];
  private readonly children = new Map<Node, Node[]>();
  private readonly parents = new Map<Node, Node>();

  show(uri: vscode.Uri, groups: ExposureGroup[]): void {
    this.uri = uri;
    this.groups = groups;
    this.rebuild();
  }

  setFilter(text: string): void {
    this.filter = text.trim();
    this.rebuild();
  }

  /** The group node of a chain, for revealing it from a code lens. */
  groupNode(table: string, chain: string): Node | undefined {
    return this.roots.find((n) => n.kind === 'group' && n.group.table === table && n.group.chain === chain);
  }

  /** Visible rows, for tests and the view's message. */
  visibleRows(): ExposureRow[] {
    return this.roots.flatMap((g) => (this.children.get(g) ?? []).flatMap((n) => (n.kind === 'row' ? [n.row] : [])));
  }

  private rebuild(): void {
    this.children.clear();
    this.parents.clear();
    const needle = this.filter.toLowerCase();
    const keep = (r: ExposureRow) => !needle || rowText(r).toLowerCase().includes(needle);
    this.roots = this.groups
      .map((group): Node => ({ kind: 'group', group }))
      .filter(
        (g) =>
          g.kind === 'group' && (!needle || g.group.rows.some(keep) || `${g.group.table}/${g.group.chain}`.toLowerCase().includes(needle)),
      );
    for (const g of this.roots) {
      if (g.kind !== 'group') continue;
      const rows = g.group.rows.filter((r) => keep(r) || `${g.group.table}/${g.group.chain}`.toLowerCase().includes(needle));
      this.link(
        g,
        rows.map((row): Node => ({ kind: 'row', row, group: g.group })),
      );
    }
    this.changed.fire(undefined);
  }

  private link(parent: Node, kids: Node[]): Node[] {
    this.children.set(parent, kids);
    for (const k of kids) this.parents.set(k, parent);
    return kids;
  }

  getParent(n: Node): Node | undefined {
    return this.parents.get(n);
  }

  getChildren(n?: Node): Node[] {
    if (!n) return this.roots;
    const known = this.children.get(n);
    if (known) return known;
    if (n.kind === 'row') {
      const r = n.row;
      const kids: Node[] = [{ kind: 'sources', row: r, group: n.group }];
      for (const rule of r.rules) kids.push({ kind: 'rule', line: rule.line, text: rule.text, parent: n });
      if (r.policy) kids.push({ kind: 'note', text: `the chain's default policy accepts the rest`, icon: 'law', parent: n });
      if (r.approximate)
        kids.push({ kind: 'note', text: 'approximate: a match the analysis cannot decide may narrow this', icon: 'question', parent: n });
      return this.link(n, kids);
    }
    if (n.kind === 'sources') {
      const more = n.row.cidrCount - n.row.cidrs.length;
      const kids: Node[] = n.row.cidrs.map((text) => ({ kind: 'cidr', text, parent: n }));
      if (more > 0)
        kids.push({
          kind: 'note',
          text: `… and ${more} more networks (portcullis exposure --format json lists them all)`,
          icon: 'ellipsis',
          parent: n,
        });
      return this.link(n, kids);
    }
    return [];
  }

  getTreeItem(n: Node): vscode.TreeItem {
    switch (n.kind) {
      case 'group': {
        const g = n.group;
        const item = new vscode.TreeItem(`${g.table}/${g.chain}`, vscode.TreeItemCollapsibleState.Expanded);
        const internet = g.rows.filter((r) => r.reach === 'internet');
        const risky = internet.filter((r) => r.risks.length).length;
        item.description = `${g.family === 'ipv4' ? 'IPv4' : 'IPv6'} · ${g.rows.length ? `${internet.length} row${internet.length === 1 ? '' : 's'} from the internet${risky ? `, ${risky} risky` : ''}` : 'no new TCP or UDP connection accepted'}`;
        item.iconPath = new vscode.ThemeIcon(
          risky ? 'warning' : 'symbol-namespace',
          risky ? new vscode.ThemeColor('problemsWarningIcon.foreground') : undefined,
        );
        item.id = `group:${g.table}/${g.chain}/${g.family}`;
        if (g.range && this.uri) item.command = reveal(this.uri, g.range.start.line);
        return item;
      }
      case 'row': {
        const r = n.row;
        const item = new vscode.TreeItem(`${r.protocol.toUpperCase()} ${r.portsLabel}`, vscode.TreeItemCollapsibleState.Collapsed);
        const risk = r.risks.length
          ? `⚠ ${r.risks
              .map((k) => k.service)
              .slice(0, 3)
              .join(', ')}${r.risks.length > 3 ? ` +${r.risks.length - 3}` : ''} · `
          : '';
        item.description = `${risk}from ${r.sources}${r.interface ? ` ${r.interface}` : ''}${r.approximate ? ' (approximate)' : ''}`;
        const [icon, color] = r.reach === 'internet' && r.risks.length ? ['error', 'problemsErrorIcon.foreground'] : REACH_ICON[r.reach];
        item.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
        item.tooltip = tooltip(r);
        item.id = `row:${n.group.table}/${n.group.chain}/${n.group.family}/${r.protocol}/${r.portsLabel}/${r.interface}/${r.sources}`;
        if (r.rules.length && this.uri) item.command = reveal(this.uri, r.rules[r.rules.length - 1].line);
        return item;
      }
      case 'sources': {
        const expandable = n.row.cidrCount > 1 || (n.row.cidrCount === 1 && n.row.cidrs[0] !== n.row.sources);
        const item = new vscode.TreeItem(
          `from ${n.row.sources}`,
          expandable ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
        );
        item.description = n.row.cidrCount > 1 ? `${n.row.cidrCount} networks` : '';
        item.iconPath = new vscode.ThemeIcon('globe');
        return item;
      }
      case 'cidr': {
        const item = new vscode.TreeItem(n.text);
        item.iconPath = new vscode.ThemeIcon('circle-small');
        return item;
      }
      case 'rule': {
        const item = new vscode.TreeItem(`line ${n.line + 1}`);
        item.description = n.text;
        item.tooltip = `Open the rule on line ${n.line + 1}`;
        item.iconPath = new vscode.ThemeIcon('go-to-file');
        if (this.uri) item.command = reveal(this.uri, n.line);
        return item;
      }
      case 'note': {
        const item = new vscode.TreeItem(n.text);
        item.iconPath = new vscode.ThemeIcon(n.icon);
        return item;
      }
    }
  }
}

function reveal(uri: vscode.Uri, line: number): vscode.Command {
  return { command: 'portcullis.probeResults.reveal', title: 'Reveal Rule', arguments: [uri.toString(), line] };
}

/** Everything a row says, for the filter box. */
export function rowText(r: ExposureRow): string {
  return [
    r.protocol,
    r.portsLabel,
    ...r.services,
    ...r.risks.map((k) => k.service),
    r.sources,
    r.interface,
    r.reach,
    ...r.rules.map((x) => `line ${x.line + 1} ${x.text}`),
  ].join(' ');
}

function tooltip(r: ExposureRow): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendMarkdown(
    `**${r.protocol.toUpperCase()} ${r.portsLabel}**${r.services.length ? ` — ${r.services.map((s) => `\`${s}\``).join(', ')}` : ''}\n\n`,
  );
  md.appendMarkdown(`Reachable from ${r.sources}${r.interface ? ` ${r.interface}` : ''}${r.approximate ? ' (approximate)' : ''}.\n\n`);
  for (const k of r.risks) md.appendMarkdown(`⚠️ ${k.service}: ${k.level} risk when exposed\n\n`);
  if (r.rules.length)
    md.appendMarkdown(
      `Decided by line${r.rules.length > 1 ? 's' : ''} ${r.rules.map((x) => x.line + 1).join(', ')}${r.policy ? ' and the policy' : ''}.`,
    );
  else if (r.policy) md.appendMarkdown('Accepted by the chain policy.');
  return md;
}
