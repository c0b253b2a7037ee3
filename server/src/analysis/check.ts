import type { Finding } from '../model/finding';
import type { Ruleset } from '../model/ruleset';
import type { Exposure } from './exposure';
import type { ResolvedSettings } from './settings';

export interface CheckContext {
  ruleset: Ruleset;
  exposure: Exposure;
  settings: ResolvedSettings;
}

/** A check reads the model and the exposure and reports findings; it never parses. */
export type Check = (ctx: CheckContext) => Finding[];
