import type { FormatClaims } from '../format';

export const firewalldClaims: FormatClaims = {
  id: 'firewalld',
  claims: (path) => /(^|[/\\])firewalld[/\\](.*[/\\])?[^/\\]+\.xml$/i.test(path),
  comment: { open: '<!--', close: '-->' },
};
