/**
 * PC013: two rules of one Azure NSG with the same direction and priority. Azure refuses such a network security
 * group (the deployment fails), so both rules are marked, on their priority values. Only literal priorities and
 * directions are compared: a value the workspace does not make literal is never guessed into a clash.
 */
import { CODES } from '../../model/codes';
import type { Finding } from '../../model/finding';
import type { Range } from '../../model/range';
import type { CloudGroup } from './ruleset';

interface Seen {
  address: string;
  range: Range;
  reported: boolean;
}

export class PriorityClashes {
  private readonly seen = new Map<string, Seen>();

  constructor(private readonly findings: Finding[]) {}

  /** One rule of `group`; direction and priority as written (only strings and numbers are compared). */
  note(group: CloudGroup, direction: unknown, value: unknown, range: Range, address: string): void {
    // Terraform and ARM convert a numeric string to the number the argument takes.
    const priority = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : undefined;
    if (priority === undefined || typeof direction !== 'string' || group.unresolved) return;
    const dir = direction.toLowerCase() === 'outbound' ? 'Outbound' : direction.toLowerCase() === 'inbound' ? 'Inbound' : undefined;
    if (!dir) return;
    const key = `${group.type}\u0000${group.address}\u0000${dir}\u0000${priority}`;
    const first = this.seen.get(key);
    if (!first) {
      this.seen.set(key, { address, range, reported: false });
      return;
    }
    const say = (other: string) =>
      `priority ${priority} is also used by ${other}, another ${dir} rule of ${group.address}: Azure rejects a network security ` +
      'group whose rules of one direction share a priority, so the deployment fails. Give each rule its own priority.';
    if (!first.reported) {
      this.push(first.range, say(address), range);
      first.reported = true;
    }
    this.push(range, say(first.address), first.range);
  }

  private push(range: Range, message: string, other: Range): void {
    this.findings.push({
      code: 'PC013',
      severity: CODES.PC013.severity,
      range,
      message,
      related: [{ range: other, message: 'the rule with the same priority and direction' }],
    });
  }
}
