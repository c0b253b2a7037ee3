/**
 * Quick fixes that ask the user for a value insert it as a snippet with the value selected, the way the
 * client can take it:
 * - `lsp`: LSP 3.18 snippet text edits (`workspace.workspaceEdit.snippetEditSupport`);
 * - `command`: the client runs APPLY_SNIPPET_COMMAND with (uri, range, snippet) and inserts it itself
 *   (the VS Code client asks for this in its initializationOptions);
 * - `none`: a plain edit with the placeholder text, which a PC012 hint then points at.
 */
import { CodeActionKind, type CodeAction, type Diagnostic, type WorkspaceEdit } from 'vscode-languageserver';
import type { TextEdit } from '../formats/format';

export type SnippetSupport = 'lsp' | 'command' | 'none';

export const APPLY_SNIPPET_COMMAND = 'portcullis.applySnippet';

/** Snippet syntax gives `$`, `}` and `\` meaning; everything but the placeholder is literal text. */
const escape = (s: string) => s.replace(/[$}\\]/g, (c) => `\\${c}`);

/**
 * The edit's text with the last occurrence of `placeholder` as tab stop 1 (selected), and the end as $0; with
 * `mirror`, every occurrence is tab stop 1, so typing once fills them all.
 */
export function toSnippet(newText: string, placeholder: string, mirror = false): string {
  if (mirror) return newText.split(placeholder).map(escape).join(`\${1:${escape(placeholder)}}`);
  const at = newText.lastIndexOf(placeholder);
  if (at < 0) return escape(newText);
  return `${escape(newText.slice(0, at))}\${1:${escape(placeholder)}}${escape(newText.slice(at + placeholder.length))}`;
}

export function snippetAction(
  title: string,
  d: Diagnostic,
  edit: TextEdit,
  placeholder: string,
  ctx: { uri: string; version: number; snippets: SnippetSupport },
  preferred = false,
  mirror = false,
): CodeAction {
  const base = { title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: preferred };
  const snippet = toSnippet(edit.newText, placeholder, mirror);
  if (ctx.snippets === 'command')
    return { ...base, command: { title, command: APPLY_SNIPPET_COMMAND, arguments: [ctx.uri, edit.range, snippet, ctx.version] } };
  if (ctx.snippets === 'lsp') {
    const documentChanges = [
      {
        textDocument: { uri: ctx.uri, version: ctx.version },
        edits: [{ range: edit.range, snippet: { kind: 'snippet', value: snippet } }],
      },
    ];
    return { ...base, edit: { documentChanges } as unknown as WorkspaceEdit };
  }
  return { ...base, edit: { changes: { [ctx.uri]: [edit] } } };
}
