import { HASH_COMMENT } from '../../model/comments';
import type { FormatClaims } from '../format';

const NAMES = /(^|[/\\])(docker-)?compose([.-][^/\\]*)?\.ya?ml$/i;

/** Cheap test for YAML no file name claims: a top-level `services:` whose entries look like containers. */
export function looksLikeCompose(text: string): boolean {
  const head = text.length > 65536 ? text.slice(0, 65536) : text;
  return (
    /^services:[ \t]*(#.*)?\r?$/m.test(head) &&
    /^[ \t]+(image|build|ports|expose|container_name|network_mode|command):/m.test(head) &&
    !/^apiVersion:/m.test(head)
  );
}

export const composeClaims: FormatClaims = {
  id: 'compose',
  languageIds: ['dockercompose'],
  claims: (path) => NAMES.test(path),
  claimsContent: (_path, head) => looksLikeCompose(head),
  comment: HASH_COMMENT,
};
