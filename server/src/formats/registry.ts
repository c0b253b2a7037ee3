import type { Format, FormatClaims } from './format';
import { iptablesClaims } from './iptables/claims';
import { nftablesClaims } from './nftables/claims';
import { pfClaims } from './pf/claims';
import { firewalldClaims } from './firewalld/claims';
import { terraformClaims } from './terraform/claims';
import { cloudformationClaims } from './cloudformation/claims';
import { azureArmClaims } from './azure-arm/claims';
import { composeClaims } from './compose/claims';
import { kubernetesClaims } from './kubernetes/claims';
import { dockerfileClaims } from './dockerfile/claims';
import { servicesClaims } from './services/claims';

/**
 * A format whose parser, edits and completions load on first use: recognising a file needs only its claims, so
 * the server starts without parsing code (and dependencies such as yaml or saxes) for formats nobody opens.
 * esbuild.mjs turns each `require('./<format>')` below into its own file, dist/formats/<format>.js.
 */
function lazyFormat(claims: FormatClaims, load: () => Format): Format {
  let loaded: Format | undefined;
  const impl = () => (loaded ??= load());
  return {
    ...claims,
    parse: (text, ctx) => impl().parse(text, ctx),
    get edits() {
      return impl().edits;
    },
    get complete() {
      return impl().complete;
    },
    get layout() {
      return impl().layout;
    },
    get inert() {
      return impl().inert;
    },
    get reparse() {
      return impl().reparse;
    },
  };
}

/** Every supported format; the first that claims a path wins, so put specific formats before generic ones. */
export const FORMATS: Format[] = [
  lazyFormat(iptablesClaims, () => require('./iptables').iptablesFormat),
  lazyFormat(nftablesClaims, () => require('./nftables').nftablesFormat),
  lazyFormat(pfClaims, () => require('./pf').pfFormat),
  lazyFormat(firewalldClaims, () => require('./firewalld').firewalldFormat),
  lazyFormat(terraformClaims, () => require('./terraform').terraformFormat),
  lazyFormat(cloudformationClaims, () => require('./cloudformation').cloudformationFormat),
  lazyFormat(azureArmClaims, () => require('./azure-arm').azureArmFormat),
  lazyFormat(composeClaims, () => require('./compose').composeFormat),
  lazyFormat(kubernetesClaims, () => require('./kubernetes').kubernetesFormat),
  lazyFormat(dockerfileClaims, () => require('./dockerfile').dockerfileFormat),
  lazyFormat(servicesClaims, () => require('./services').servicesFormat),
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
