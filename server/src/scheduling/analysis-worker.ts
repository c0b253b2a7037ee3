/**
 * Worker thread entry: analyses one document per message and posts back its findings. The language server
 * sends large documents here so its own event loop keeps answering hovers while they are analysed.
 */
import { parentPort } from 'node:worker_threads';
import { workspaceRole } from '../analysis/docker-bypass';
import { resolveSettings, type Settings } from '../analysis/settings';
import { formatById } from '../formats/registry';
import { analyseText } from '../pipeline';
import { readIfPresent } from '../io/read-file';
import type { WorkerJob, WorkerReply } from './worker-pool';

/** A file beside the document as the server's thread reads it: the open editor buffer, else the disk (safely). */
function readBeside(job: WorkerJob, p: string): string | undefined {
  if (p === job.sibling?.path) return job.sibling.text;
  return job.beside?.find((b) => b.path === p)?.text ?? readIfPresent(p);
}

parentPort!.on('message', (job: WorkerJob) => {
  let reply: WorkerReply;
  try {
    const format = formatById(job.formatId);
    if (!format) throw new Error(`unknown format ${job.formatId}`);
    const settings = resolveSettings(job.settings as Partial<Settings>);
    const reads = new Set<string>();
    const fa = analyseText(job.text, format, job.path, settings, (p) => (reads.add(p), readBeside(job, p)));
    reply = { id: job.id, findings: fa.findings, role: workspaceRole(fa.ruleset), reads: [...reads] };
  } catch (e) {
    reply = { id: job.id, error: (e as Error).stack ?? String(e) };
  }
  parentPort!.postMessage(reply);
});
