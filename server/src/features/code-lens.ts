/** Code lenses above each chain, zone or resource: "3 ports reachable from the internet · 2 risky". */
import type { CodeLens } from 'vscode-languageserver';
import type { ExposureGroup } from './exposure-rows';
import { chainSummaries } from './exposure-rows';

/** The client command a lens runs; VS Code opens the Exposure view at the chain, other editors may map it. */
export const SHOW_EXPOSURE_COMMAND = 'portcullis.showExposure';

export function codeLenses(uri: string, groups: ExposureGroup[]): CodeLens[] {
  return chainSummaries(groups).map((s) => ({
    range: { start: s.range.start, end: s.range.start },
    command: { title: s.text, command: SHOW_EXPOSURE_COMMAND, arguments: [uri, { table: s.table, chain: s.chain }] },
  }));
}
