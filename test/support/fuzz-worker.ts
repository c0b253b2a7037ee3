/** Worker entry for test/support/fuzz.ts: runs a range of fuzz inputs and reports each to the parent. */
import { parentPort, workerData } from 'node:worker_threads';
import { workerMain } from './fuzz';

workerMain(workerData, (m) => parentPort!.postMessage(m));
