import type { Format } from './format';
import { iptablesFormat } from './iptables';
import { nftablesFormat } from './nftables';
import { pfFormat } from './pf';
import { firewalldFormat } from './firewalld';
import { composeFormat } from './compose';
import { kubernetesFormat } from './kubernetes';
import { dockerfileFormat } from './dockerfile';
import { servicesFormat } from './services';

/** Every supported format; the first that claims a path wins, so put specific formats before generic ones. */
export const FORMATS: Format[] = [iptablesFormat, nftablesFormat, pfFormat, firewalldFormat, composeFormat, kubernetesFormat, dockerfileFormat, servicesFormat];

export function formatById(id: string): Format | undefined {
  return FORMATS.find((f) => f.id === id || f.languageIds?.includes(id));
}

export function formatForPath(path: string): Format | undefined {
  return FORMATS.find((f) => f.claims(path));
}

/** For files no name claims (any `.yaml`): the format whose content sniff recognises the text. */
export function formatForText(path: string, text: string): Format | undefined {
  if (!/\.ya?ml$/i.test(path) && !/\.json$/i.test(path)) return undefined;
  return FORMATS.find((f) => f.sniff?.(text));
}
