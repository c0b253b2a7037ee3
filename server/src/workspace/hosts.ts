/**
 * Which files describe the same host. By default a host is the folder tree above a host firewall file (the
 * folder that holds it, or the folder above conventional configuration folders such as etc/ufw/), and every
 * file in that tree belongs to it. `.portcullis.json` can name the hosts instead: `"hosts": {"web1":
 * ["hosts/web1", "apps/web1/compose.yaml"]}` (folders or files, relative to the config file); then only those folders are combined.
 */
import * as path from 'node:path';

export interface HostLayout {
  /** Host name → absolute folders whose trees hold that host's files. */
  hosts?: Record<string, string[]>;
}

export interface HostGroup {
  name: string;
  /** Folders whose trees hold the host's files. */
  roots: string[];
  paths: string[];
}

/** Folder names that hold host configuration by convention; a host's tree starts above them. */
const CONFIG_DIRS = new Set(['etc', 'ufw', 'iptables', 'nftables', 'firewalld', 'zones', 'sysconfig', 'firewall', 'default', 'network']);

export function defaultHostRoot(file: string): string {
  let dir = path.dirname(file);
  while (CONFIG_DIRS.has(path.basename(dir)) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

/** Whether `file` is in the tree of `dir` (or is `dir` itself: a host may name single files). */
function within(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return !rel.startsWith('..') && !path.isAbsolute(rel);
}

/**
 * Groups files into hosts. `firewalls` are the files that anchor a default host (host firewall files);
 * a file joins the host whose folder is its deepest ancestor. Files outside every host are left out.
 */
export function groupHosts(paths: string[], firewalls: string[], layout: HostLayout = {}): HostGroup[] {
  const named = layout.hosts && Object.keys(layout.hosts).length ? layout.hosts : undefined;
  const roots: { name: string; dir: string }[] = named
    ? Object.entries(named).flatMap(([name, dirs]) => dirs.map((dir) => ({ name, dir: path.resolve(dir) })))
    : [...new Set(firewalls.map(defaultHostRoot))].map((dir) => ({ name: dir, dir }));
  const groups = new Map<string, HostGroup>();
  for (const file of paths) {
    let best: { name: string; dir: string } | undefined;
    for (const r of roots) if (within(file, r.dir) && (!best || r.dir.length > best.dir.length)) best = r;
    if (!best) continue;
    const g = groups.get(best.name) ?? { name: best.name, roots: roots.filter((r) => r.name === best!.name).map((r) => r.dir), paths: [] };
    g.paths.push(file);
    groups.set(best.name, g);
  }
  return [...groups.values()];
}
