/**
 * The script of the CLI's read workers (server/out/readWorker.js, see parallelRead.ts). It is an entry of its own so
 * that each worker compiles only the code it runs (reading, pre-scanning, parsing rules), not the whole CLI.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isReadWorkerData, serveReadWorker } from './parallelRead';

if (parentPort === null || !isReadWorkerData(workerData)) throw new Error('readWorker.js runs only as a read worker of the route-doctor CLI');
serveReadWorker(workerData);
