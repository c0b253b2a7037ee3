/**
 * Quick fixes for findings, built from the format's rule edits. Fixes that need a value from the user (the
 * network to allow, the reason for a suppression) insert it as a selected snippet placeholder (snippets.ts);
 * a placeholder left as it is gets a PC012 hint.
 */
import { CodeActionKind, type CodeAction, type Diagnostic } from 'vscode-languageserver';
import { PLACEHOLDER_NETWORK, PLACEHOLDER_NETWORK_V6, PLACEHOLDER_REASON } from '../analysis/placeholders';
import type { TextEdit } from '../formats/format';
import { AddressSet } from '../model/addresses';
import { writeComment } from '../model/comments';
import type { Position } from '../model/range';
import type { Rule } from '../model/ruleset';
import { allRules } from '../model/ruleset';
import type { FileAnalysis } from '../pipeline';
import { snippetAction, type SnippetSupport } from './snippets';

export interface ActionContext {
  uri: string;
  version: number;
  snippets: SnippetSupport;
}

export function codeActions(fa: FileAnalysis, ctx: ActionContext, diagnostics: Diagnostic[]): CodeAction[] {
  const { uri } = ctx;
  const actions: CodeAction[] = [];
  const rules = new Map(allRules(fa.ruleset).map((r) => [r.id, r]));
  const edits = fa.format.edits;
  const all = [...rules.values()];
  // An edit meant for one rule must not reach another rule that does not accept (shared text, e.g. a generated
  // block), and a deletion must not reach any other rule at all.
  const confined = (rule: Rule, edit: TextEdit, deletes: boolean) =>
    !all.some((r) => r.id !== rule.id && (deletes || r.action.kind !== 'accept') && affects(edit, r, rule));
  const make = (title: string, d: Diagnostic, edit: TextEdit | undefined, preferred = false, rule?: Rule, deletes = false): void => {
    if (!edit || (rule && !confined(rule, edit, deletes))) return;
    actions.push({ title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: preferred, edit: { changes: { [uri]: [edit] } } });
  };
  // Service-port files: narrowing edits on the listener (never a wider binding or more sources).
  const listenerFixes = (rule: Rule, d: Diagnostic): void => {
    if (!edits || !rule.listener) return;
    const preferred = d.code === 'PC120' || d.code === 'PC301';
    make('Bind to 127.0.0.1 (reachable from this host only)', d, edits.bindLoopback?.(rule, fa.lines), preferred);
    if (rule.listener.role === 'host-port')
      make('Remove the hostPort (keep the port inside the pod network)', d, edits.deleteRule(rule, fa.lines), d.code === 'PC125');
  };
  for (const d of diagnostics) {
    if (d.source !== 'portcullis') continue;
    const data = (d.data ?? {}) as { ruleId?: number; table?: string; chain?: string };
    const rule: Rule | undefined =
      data.ruleId !== undefined ? rules.get(data.ruleId) : d.code === 'PC103' ? undefined : ruleOnLine(fa, d.range.start.line);
    // The safety rule: every fix below only narrows a rule that accepts (or turns it into a block), so no fix
    // ever deletes or weakens a block rule. setDefaultDrop moves a policy toward drop only.
    if (edits && rule && narrowable(rule)) {
      switch (d.code) {
        case 'PC004':
          make('Add -p tcp (ports exist only in TCP/UDP headers)', d, edits.addProtocol(rule, fa.lines, 'tcp'), true, rule);
          make('Add -p udp', d, edits.addProtocol(rule, fa.lines, 'udp'), false, rule);
          break;
        case 'PC101':
        case 'PC102':
        case 'PC104':
        case 'PC120':
        case 'PC122':
        case 'PC125':
          listenerFixes(rule, d);
          {
            // The documentation network of the family the rule admits; offered only where replacing narrows.
            const network = [PLACEHOLDER_NETWORK, PLACEHOLDER_NETWORK_V6].find((n) => sourceNarrows(rule, n));
            const edit = network && edits.restrictSource(rule, fa.lines, network);
            if (network && edit && confined(rule, edit, false))
              actions.push(snippetAction('Restrict the source to a network…', d, edit, network, ctx, true));
          }
          make('Change ACCEPT to DROP', d, edits.setVerdict(rule, fa.lines, 'drop'), false, rule);
          make('Change ACCEPT to REJECT', d, edits.setVerdict(rule, fa.lines, 'reject'), false, rule);
          break;
        case 'PC301':
          // Docker bypasses INPUT: only a loopback binding (or DOCKER-USER, in another file) narrows the port.
          listenerFixes(rule, d);
          break;
        case 'PC105':
        case 'PC106':
          make('Delete this rule', d, edits.deleteRule(rule, fa.lines), d.code === 'PC105', rule, true);
          break;
      }
    }
    if (edits && d.code === 'PC103') {
      const { table, chain } = data as { table?: string; chain?: string };
      const c = fa.ruleset.tables.find((t) => t.name === table)?.chains.find((x) => x.name === chain);
      const e = c && edits.setDefaultDrop(c, fa.lines);
      if (e)
        actions.push({
          title: `Set ${chain} policy to DROP (keeping loopback and established traffic)`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [d],
          isPreferred: true,
          edit: { changes: { [uri]: e } },
        });
    }
    // A stale diagnostic (from a longer, older version) may point past the end: nothing to suppress there.
    if (d.range.start.line >= 0 && d.range.start.line < fa.lines.length) actions.push(suppress(fa, ctx, d));
  }
  return actions;
}

/**
 * Whether an edit for `own` changes rule `r` too: it removes or rewrites text where `r` starts, or both rules
 * come from the same text (several rules generated by one block). A block that merely contains the edit (the
 * resource holding an inline rule) is not changed by it.
 */
function affects(edit: TextEdit, r: Rule, own: Rule): boolean {
  const before = (a: Position, b: Position) => a.line < b.line || (a.line === b.line && a.character < b.character);
  const same = (a: Position, b: Position) => a.line === b.line && a.character === b.character;
  const startsInside = !before(r.range.start, edit.range.start) && before(r.range.start, edit.range.end);
  return startsInside || (same(r.range.start, own.range.start) && same(r.range.end, own.range.end));
}

/** Only an accepting rule may be narrowed or deleted: that can never let in more than before. */
function narrowable(rule: Rule): boolean {
  return rule.action.kind === 'accept';
}

/**
 * Restricting the source replaces the rule's source test; that narrows only when every source test of the
 * rule is decided by the file and already admits the whole new network.
 */
export function sourceNarrows(rule: Rule, network: string): boolean {
  const net = AddressSet.parse(network);
  if (!net) return false;
  return rule.conditions.every(
    (c) => c.kind !== 'source' || (!c.unresolved?.length && (c.negated ? c.set.complement() : c.set).covers(net)),
  );
}

function ruleOnLine(fa: FileAnalysis, line: number): Rule | undefined {
  return allRules(fa.ruleset).find((r) => r.range.start.line <= line && r.range.end.line >= line);
}

/** Inserts a `portcullis-ignore CODE: reason` comment in the file's own syntax above the finding's line, indented alike. */
function suppress(fa: FileAnalysis, ctx: ActionContext, d: Diagnostic): CodeAction {
  const line = d.range.start.line;
  const indent = /^\s*/.exec(fa.lines[line] ?? '')![0];
  const text = `${indent}${writeComment(fa.format.comment, `portcullis-ignore ${d.code}: ${PLACEHOLDER_REASON}`)}\n`;
  const edit = { range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: text };
  return snippetAction(`Suppress ${d.code} on this line (with a reason)`, d, edit, PLACEHOLDER_REASON, ctx);
}
