import type { Format } from './format';
import { iptablesFormat } from './iptables';
import { nftablesFormat } from './nftables';
import { pfFormat } from './pf';
import { firewalldFormat } from './firewalld';
import { terraformFormat } from './terraform';

/** Every supported format; the first that claims a path wins, so put specific formats before generic ones. */
export const FORMATS: Format[] = [iptablesFormat, nftablesFormat, pfFormat, firewalldFormat, terraformFormat];

export function formatById(id: string): Format | undefined {
  return FORMATS.find((f) => f.id === id);
}

export function formatForPath(path: string): Format | undefined {
  return FORMATS.find((f) => f.claims(path));
}
