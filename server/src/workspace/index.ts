/**
 * The workspace layer: combines analysed files that describe one host (hosts.ts) and runs the checks that
 * need more than one file (today PC301, Docker-published ports that bypass the host firewall). No format
 * knows about another; this layer sees only each file's model and exposure.
 */
import { dockerBypass, isHostFirewall, isPublisher, type HostFile } from '../analysis/docker-bypass';
import type { ResolvedSettings } from '../analysis/settings';
import { applySuppressions } from '../analysis/suppress';
import type { Finding } from '../model/finding';
import type { FileAnalysis } from '../pipeline';
import { groupHosts, type HostGroup, type HostLayout } from './hosts';

export interface WorkspaceFile {
  path: string;
  analysis?: FileAnalysis;
  /** Why the file could not be analysed (read error, size limit); shown to the user, never skipped silently. */
  error?: string;
  settings?: ResolvedSettings;
}

export interface Workspace {
  files: WorkspaceFile[];
  hosts: HostGroup[];
  /** Findings that combine files, by the path they are reported on. */
  findings: Map<string, Finding[]>;
}

export function combine(files: WorkspaceFile[], layout: HostLayout, defaults: ResolvedSettings): Workspace {
  const analysed = files.filter((f): f is WorkspaceFile & { analysis: FileAnalysis } => !!f.analysis);
  const firewalls = analysed.filter((f) => isHostFirewall(f.analysis.ruleset)).map((f) => f.path);
  const hosts = groupHosts(
    analysed.map((f) => f.path),
    firewalls,
    layout,
  );
  const byPath = new Map(analysed.map((f) => [f.path, f]));
  const findings = new Map<string, Finding[]>();
  for (const host of hosts) {
    const members = host.paths.map((p) => byPath.get(p)!);
    const asHost = (f: (typeof members)[number]): HostFile => ({
      path: f.path,
      ruleset: f.analysis.ruleset,
      exposure: f.analysis.exposure,
    });
    const publishers = members.filter((f) => isPublisher(f.analysis.ruleset)).map(asHost);
    // Every other file of the host takes part (a DOCKER-USER chain often sits in ufw's after.rules), once
    // some file is the host's packet filter.
    const firewallFiles = members.filter((f) => !isPublisher(f.analysis.ruleset)).map(asHost);
    if (!publishers.length || !members.some((f) => isHostFirewall(f.analysis.ruleset))) continue;
    for (const [p, raw] of dockerBypass(firewallFiles, publishers, byPath.get(publishers[0].path)?.settings ?? defaults)) {
      const file = byPath.get(p)!;
      findings.set(p, finalise(raw, file.analysis, file.settings ?? defaults));
    }
  }
  return { files, hosts, findings };
}

/** Inline suppressions and severity settings, as for a single file's findings. */
function finalise(raw: Finding[], fa: FileAnalysis, settings: ResolvedSettings): Finding[] {
  const out: Finding[] = [];
  for (const f of applySuppressions(raw, fa.lines, fa.format.comment)) {
    const sev = settings.severity[f.code];
    if (sev !== 'off') out.push(sev ? { ...f, severity: sev } : f);
  }
  return out;
}
