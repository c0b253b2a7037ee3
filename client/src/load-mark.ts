/**
 * When the extension bundle started to load (performance.now()). Imported first by extension.ts, so it runs before
 * the rest of the bundle; the e2e suite splits activation into this bundle's own time and the editor's.
 */
export const loadStarted = performance.now();
