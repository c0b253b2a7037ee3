/**
 * One resolved settings object per distinct settings value: an analysis can reuse the previous one only under the
 * same settings, which is then a matter of comparing objects.
 */
import { resolveSettings, type ResolvedSettings, type Settings } from '../analysis/settings';

const MAX_ENTRIES = 32;

export class SettingsMemo {
  private readonly byValue = new Map<string, ResolvedSettings>();

  resolve(raw: Partial<Settings>): ResolvedSettings {
    const key = JSON.stringify(raw);
    let resolved = this.byValue.get(key);
    if (!resolved) {
      if (this.byValue.size >= MAX_ENTRIES) this.byValue.clear();
      this.byValue.set(key, (resolved = resolveSettings(raw)));
    }
    return resolved;
  }
}
