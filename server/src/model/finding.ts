import type { Range } from './range';

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface RelatedInfo {
  range: Range;
  /** Another file's path, for findings that combine files (workspace checks); absent = the same file. */
  path?: string;
  message: string;
}

/** A problem found in a file: a syntax error from a format or a risk from analysis. */
export interface Finding {
  /** Stable code such as "PC101"; documented in docs/diagnostics/<code>.md. */
  code: string;
  severity: Severity;
  message: string;
  range: Range;
  related?: RelatedInfo[];
  /** Facts a quick fix needs (rule id, port, …); never shown to users. */
  data?: { ruleId?: number; [key: string]: unknown };
}
