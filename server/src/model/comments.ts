/**
 * How a format writes comments: a line comment (`#` to the end of the line) or a delimited one (`<!-- … -->`).
 * Formats own their syntax; inline suppressions are written and recognised through it.
 */
export interface CommentSyntax {
  open: string;
  /** The closing delimiter of a delimited comment; none for line comments. */
  close?: string;
}

export const HASH_COMMENT: CommentSyntax = { open: '#' };

/** A whole comment holding `text`, e.g. `# text` or `<!-- text -->`. */
export function writeComment(syntax: CommentSyntax, text: string): string {
  return syntax.close ? `${syntax.open} ${text} ${syntax.close}` : `${syntax.open} ${text}`;
}

/** Whether a line holds nothing but (the start of) a comment. */
export function isCommentLine(syntax: CommentSyntax, line: string): boolean {
  return line.trimStart().startsWith(syntax.open);
}

/**
 * Where the comment that contains offset `at` starts in `line`, or -1 when `at` is not inside a comment
 * opened on this line.
 */
export function commentStartBefore(syntax: CommentSyntax, line: string, at: number): number {
  const open = line.lastIndexOf(syntax.open, at - syntax.open.length);
  if (open < 0) return -1;
  if (syntax.close && line.slice(open, at).includes(syntax.close)) return -1;
  return open;
}
