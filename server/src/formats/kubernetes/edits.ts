/** Kubernetes edits for quick fixes, all narrowing: add loadBalancerSourceRanges, drop a hostPort. */
import type { Rule } from '../../model/ruleset';
import type { RuleEdits, TextEdit } from '../format';
import { editAnchors } from './parse';

const none = (): undefined => undefined;

export const kubernetesEdits: RuleEdits = {
  addProtocol: none,
  setVerdict: none,
  setDefaultDrop: none,
  /** A LoadBalancer Service without source ranges gets one (a placeholder the user edits), beside its `type:`. */
  restrictSource(rule, lines, network) {
    const at = editAnchors.get(rule)?.specKey;
    if (!at || rule.conditions.some((c) => c.kind === 'source')) return undefined;
    const line = lines[at.start.line] ?? '';
    if (line.slice(at.start.character).startsWith('"') || /[{}]/.test(line)) return undefined; // flow style: no safe one-line insert
    const indent = ' '.repeat(at.start.character);
    const pos = { line: at.start.line + 1, character: 0 };
    return { range: { start: pos, end: pos }, newText: `${indent}loadBalancerSourceRanges:\n${indent}  - ${network}\n` };
  },
  /** Removing a hostPort line keeps the container port inside the pod network. */
  deleteRule(rule: Rule, lines: string[]): TextEdit | undefined {
    const line = editAnchors.get(rule)?.hostPortLine;
    if (line === undefined || !/^\s*(-\s*)?hostPort\s*:/.test(lines[line] ?? '')) return undefined;
    // "- hostPort: 80" starts the list item: keep the dash for the next key by removing only "hostPort: 80".
    const m = /^(\s*-\s*)hostPort\s*:\s*\S+\s*$/.exec(lines[line]);
    if (m) return undefined;
    return { range: { start: { line, character: 0 }, end: { line: line + 1, character: 0 } }, newText: '' };
  },
};
