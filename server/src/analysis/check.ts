import type { Finding } from '../model/finding';
import type { Ruleset } from '../model/ruleset';
import type { Exposure } from './exposure';
import type { ResolvedSettings } from './settings';

export interface CheckContext {
  ruleset: Ruleset;
  exposure: Exposure;
  settings: ResolvedSettings;
  /** The other address family's file for the same host (rules.v4 for rules.v6 …), when there is one. */
  counterpart?: { path: string; exposure: Exposure };
}

/** A check reads the model and the exposure and reports findings; it never parses. */
export type Check = (ctx: CheckContext) => Finding[];
