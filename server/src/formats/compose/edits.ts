/** Compose edits for quick fixes: only narrowing ones (bind a published port to 127.0.0.1). */
import type { Rule } from '../../model/ruleset';
import type { RuleEdits, TextEdit } from '../format';

const none = (): undefined => undefined;

export const composeEdits: RuleEdits = {
  addProtocol: none,
  setVerdict: none,
  restrictSource: none,
  setDefaultDrop: none,
  deleteRule: none,
  bindLoopback,
};

function bindLoopback(rule: Rule, lines: string[]): TextEdit | undefined {
  const l = rule.listener;
  if (!l?.published || rule.action.kind !== 'accept') return undefined;
  // An existing host address (0.0.0.0, a LAN address, [::]) is replaced; loopback is narrower than any of them.
  if (l.boundRange) return { range: l.boundRange, newText: '127.0.0.1' };
  const { start } = rule.range;
  const line = lines[start.line] ?? '';
  const first = line[start.character];
  if (first === '{' || first === '[') return undefined;
  const isMap = /^[A-Za-z_]+\s*:/.test(line.slice(start.character));
  if (isMap) {
    // Long syntax: a host_ip key beside the first key, with the same indentation.
    const at = { line: start.line + 1, character: 0 };
    return { range: { start: at, end: at }, newText: `${' '.repeat(start.character)}host_ip: 127.0.0.1\n` };
  }
  const quoted = first === '"' || first === "'";
  const at = { line: start.line, character: start.character + (quoted ? 1 : 0) };
  const value = line.slice(at.character);
  // "5432" (host port chosen by Docker) becomes "127.0.0.1::5432"; "5432:5432" becomes "127.0.0.1:5432:5432".
  const bare = /^\d+(-\d+)?(\/\w+)?["']?\s*(#.*)?$/.test(value);
  return { range: { start: at, end: at }, newText: bare ? '127.0.0.1::' : '127.0.0.1:' };
}
