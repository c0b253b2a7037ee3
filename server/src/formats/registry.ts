import type { Format } from './format';
import { iptablesFormat } from './iptables';
import { nftablesFormat } from './nftables';
import { pfFormat } from './pf';
import { firewalldFormat } from './firewalld';
import { terraformFormat } from './terraform';
import { cloudformationFormat } from './cloudformation';
import { azureArmFormat } from './azure-arm';
import { composeFormat } from './compose';
import { kubernetesFormat } from './kubernetes';
import { dockerfileFormat } from './dockerfile';
import { servicesFormat } from './services';

/** Every supported format; the first that claims a path wins, so put specific formats before generic ones. */
export const FORMATS: Format[] = [
  iptablesFormat,
  nftablesFormat,
  pfFormat,
  firewalldFormat,
  terraformFormat,
  cloudformationFormat,
  azureArmFormat,
  composeFormat,
  kubernetesFormat,
  dockerfileFormat,
  servicesFormat,
];

export function formatById(id: string): Format | undefined {
  return FORMATS.find((f) => f.id === id || f.languageIds?.includes(id));
}

/** How much of a file content checks look at. */
export const HEAD_BYTES = 64 * 1024;

/** The format for a path; `head` (the file's start, read only when needed) decides for generic extensions. */
export function formatForPath(path: string, head?: () => string | undefined): Format | undefined {
  const byPath = FORMATS.find((f) => f.claims(path));
  if (byPath || !head) return byPath;
  const candidates = FORMATS.filter((f) => f.claimsContent);
  if (!candidates.length || !/\.(ya?ml|json)$/i.test(path)) return undefined;
  const text = head()?.slice(0, HEAD_BYTES);
  return text === undefined ? undefined : candidates.find((f) => f.claimsContent!(path, text));
}
