/**
 * Two network namespaces joined by a veth pair, made and removed by the test that uses them: the base of the
 * kernel differential lab (kernel.ts) and the probe lab (netns.ts). Only addresses inside these namespaces are
 * ever given out, so traffic between them cannot leave the machine. Needs Linux, root and `ip`.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';

function which(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Why a lab cannot run here (`what` names the test for the message), or undefined when it can. */
export function labUnavailable(what: string, commands: string[]): string | undefined {
  if (process.platform !== 'linux') return `${what} needs Linux`;
  if (process.getuid?.() !== 0) return `${what} needs root (network namespaces)`;
  for (const c of ['ip', ...commands]) if (!which(c)) return `${what} needs ${c} (scripts/setup-test-deps.sh installs it)`;
  const name = `pc-chk-${process.pid}`;
  const r = spawnSync('ip', ['netns', 'add', name], { encoding: 'utf8' });
  if (r.status !== 0) return `cannot create a network namespace: ${(r.stderr || `exit ${r.status}`).trim()}`;
  spawnSync('ip', ['netns', 'del', name]);
  return undefined;
}

export interface End {
  ns: string;
  dev: string;
  /** IPv4 address of this end, in a /24 shared with the other end. */
  addr: string;
}

export class VethLab {
  private child?: ChildProcess;
  private closed = false;
  private readonly onExit = (): void => this.close();
  /** Ctrl-C or a runner's SIGTERM would otherwise end the process without 'exit' and leave the namespaces. */
  private readonly onSignal = (signal: NodeJS.Signals): void => {
    this.close();
    process.kill(process.pid, signal);
  };

  constructor(
    readonly a: End,
    readonly b: End,
  ) {}

  protected ip(...args: string[]): void {
    execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
  }

  /** Runs a command inside one end's namespace. */
  protected inNs(end: End, ...args: string[]): void {
    this.ip('netns', 'exec', end.ns, ...args);
  }

  /** Creates both namespaces and the veth pair with their IPv4 addresses; on failure removes what was made. */
  setup(): void {
    // Namespaces outlive the process: also remove them if it exits without calling close().
    process.once('exit', this.onExit);
    process.once('SIGINT', this.onSignal);
    process.once('SIGTERM', this.onSignal);
    try {
      this.ip('netns', 'add', this.a.ns);
      this.ip('netns', 'add', this.b.ns);
      this.ip('link', 'add', this.a.dev, 'netns', this.a.ns, 'type', 'veth', 'peer', 'name', this.b.dev, 'netns', this.b.ns);
      for (const end of [this.a, this.b]) {
        this.ip('-n', end.ns, 'link', 'set', 'lo', 'up');
        this.ip('-n', end.ns, 'addr', 'add', `${end.addr}/24`, 'dev', end.dev);
        this.ip('-n', end.ns, 'link', 'set', end.dev, 'up');
      }
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /**
   * Starts a node script in one end's namespace (replacing the previous one) and waits until it prints
   * "ready"; the script exits when its stdin closes.
   */
  protected async startScript(end: End, script: string, arg: string): Promise<void> {
    this.stopScript();
    const child = spawn('ip', ['netns', 'exec', end.ns, process.execPath, '-e', script, arg], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      let err = '';
      const t = setTimeout(() => reject(new Error('the listener script did not start in 10 s')), 10_000);
      child.stderr!.on('data', (d) => (err += d));
      child.stdout!.on('data', (d) => {
        if (!String(d).includes('ready')) return;
        clearTimeout(t);
        resolve();
      });
      child.on('exit', (code) => {
        clearTimeout(t);
        reject(new Error(`the listener script exited ${code}: ${err}`));
      });
    });
  }

  private stopScript(): void {
    if (this.child && this.child.exitCode === null) {
      this.child.stdin?.end();
      this.child.kill('SIGKILL');
    }
    this.child = undefined;
  }

  /** Idempotent; deleting a namespace also removes its end of the veth, and with it the pair. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    process.removeListener('exit', this.onExit);
    process.removeListener('SIGINT', this.onSignal);
    process.removeListener('SIGTERM', this.onSignal);
    this.stopScript();
    for (const ns of [this.a.ns, this.b.ns])
      if (fs.existsSync(`/run/netns/${ns}`)) spawnSync('ip', ['netns', 'del', ns], { timeout: 10_000 });
  }
}
