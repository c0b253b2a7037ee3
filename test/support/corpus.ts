/** Locates ../shared/corpus beside the repository; tests that need it skip with a message when it is absent. */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Repository root, from the compiled location out/test/support/. */
export const REPO = path.resolve(__dirname, '../../..');
export const CORPUS = path.resolve(REPO, '../shared/corpus');
export const HAVE_CORPUS = fs.existsSync(path.join(CORPUS, 'MANIFEST.md'));
export const NO_CORPUS = `../shared/corpus not found at ${CORPUS}: corpus tests skipped`;

export function corpusFiles(dir: string, filter: (name: string) => boolean = (n) => !n.endsWith('.md')): string[] {
  const d = path.join(CORPUS, dir);
  if (!fs.existsSync(d)) return [];
  return fs.readdirSync(d).filter(filter).sort().map((f) => path.join(d, f));
}
