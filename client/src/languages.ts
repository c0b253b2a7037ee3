/** The languages the extension serves: read at run time from its package.json, where they are declared once. */
export function contributedLanguages(extension: { packageJSON: unknown }): string[] {
  const pkg = extension.packageJSON as { contributes?: { languages?: { id?: unknown }[] } };
  return (pkg.contributes?.languages ?? []).map((l) => l.id).filter((id): id is string => typeof id === 'string');
}
