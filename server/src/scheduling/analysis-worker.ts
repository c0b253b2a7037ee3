/**
 * Worker thread entry: analyses one document per message and posts back its findings. The language server
 * sends large documents here so its own event loop keeps answering hovers while they are analysed. The worker
 * keeps each recent document's last analysis (`Reuse`), so that an edit re-parses only its changed lines and
 * re-walks only the chains it changed; a terminated worker starts the next analysis afresh.
 */
import { parentPort } from 'node:worker_threads';
import { workspaceRole } from '../analysis/docker-bypass';
import type { Settings } from '../analysis/settings';
import { formatById } from '../formats/registry';
import { analyseText, type Reuse } from '../pipeline';
import { readIfPresent } from '../io/read-file';
import { SettingsMemo } from './settings-memo';
import type { WorkerJob, WorkerReply } from './worker-pool';

/** Documents whose reuse state is kept, most recently analysed last: each holds a whole analysis. */
const KEEP = 2;
const documents = new Map<string, Reuse>();
// Reuse needs the same settings object for the same settings value.
const settingsMemo = new SettingsMemo();

function reuseOf(key: string): Reuse {
  const reuse = documents.get(key) ?? {};
  documents.delete(key);
  documents.set(key, reuse);
  for (const old of documents.keys()) if (documents.size > KEEP) documents.delete(old);
  return reuse;
}

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
    const settings = settingsMemo.resolve(job.settings as Partial<Settings>);
    const reads = new Set<string>();
    const fa = analyseText(job.text, format, job.path, settings, (p) => (reads.add(p), readBeside(job, p)), reuseOf(job.key));
    reply = { id: job.id, findings: fa.findings, role: workspaceRole(fa.ruleset), reads: [...reads] };
  } catch (e) {
    documents.delete(job.key);
    reply = { id: job.id, error: (e as Error).stack ?? String(e) };
  }
  parentPort!.postMessage(reply);
});
