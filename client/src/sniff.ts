/**
 * Files opened as plain text that look like firewall rules (server/src/formats/sniff.ts decides): offers
 * "Open as nftables" (…) once per file; the answer is remembered per workspace.
 */
import * as vscode from 'vscode';
import { sniffFormat } from '../../server/src/formats/sniff';

const ASKED_KEY = 'portcullis.sniff.asked';
const LABELS: Record<string, string> = { iptables: 'iptables', nftables: 'nftables', pf: 'pf', firewalld: 'firewalld XML' };
/** Languages VS Code gives files it does not recognise (or recognises only as generic config). */
const GENERIC = new Set(['plaintext', 'properties', 'ini']);

export function registerSniff(context: vscode.ExtensionContext): void {
  const check = async (doc: vscode.TextDocument | undefined): Promise<void> => {
    if (!doc || !GENERIC.has(doc.languageId) || doc.uri.scheme !== 'file') return;
    const asked = context.workspaceState.get<string[]>(ASKED_KEY, []);
    if (asked.includes(doc.uri.toString())) return;
    const format = sniffFormat(doc.getText(new vscode.Range(0, 0, 200, 0)));
    if (!format) return;
    await context.workspaceState.update(ASKED_KEY, [...asked, doc.uri.toString()].slice(-500));
    const open = `Open as ${LABELS[format]}`;
    const pick = await vscode.window.showInformationMessage(
      `Portcullis: ${vscode.workspace.asRelativePath(doc.uri)} looks like ${LABELS[format]} rules.`,
      open,
      'Not This File',
    );
    if (pick === open) await vscode.languages.setTextDocumentLanguage(doc, format);
  };
  context.subscriptions.push(vscode.window.onDidChangeActiveTextEditor((e) => void check(e?.document)));
  void check(vscode.window.activeTextEditor?.document);
}
