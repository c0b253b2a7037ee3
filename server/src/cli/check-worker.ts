/**
 * Worker thread entry for `portcullis check` over many files (cli/check-pool.ts): reads and analyses one file
 * per message and posts back what the report prints. Settings come from the worker's own config cache, which
 * reads the same files as the main thread's; the main thread reports config problems, in input order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { FORMATS } from '../formats/registry';
import { analyseFile, BesideTexts, ConfigCache } from './analyse-file';
import { reported, type CheckJob, type CheckReply, type PoolSetup } from './check-pool';

const setup = workerData as PoolSetup;
const configs = new ConfigCache(setup.config);
const beside = new BesideTexts();

parentPort!.on('message', (job: CheckJob) => {
  let reply: CheckReply;
  try {
    const format = FORMATS.find((f) => f.id === job.formatId);
    if (!format) throw new Error(`unknown format ${job.formatId}`);
    const r = analyseFile(job.path, format, configs, setup.min, beside.read);
    // Only what the check reports print crosses the thread boundary: the analysis itself stays here.
    reply =
      'error' in r
        ? { seq: job.seq, error: r.error }
        : { seq: job.seq, shown: reported(r.shown) };
  } catch (e) {
    reply = { seq: job.seq, internal: (e as Error).message };
  }
  parentPort!.postMessage(reply);
});
