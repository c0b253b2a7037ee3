/** Text as every layer sees it: lines without their terminators. */

/** Splits text into lines, accepting LF, CRLF and a leading BOM (kept as a zero-width prefix offset). */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[0]?.charCodeAt(0) === 0xfeff) lines[0] = ' ' + lines[0].slice(1);
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}
