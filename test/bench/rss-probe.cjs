// Preloaded into the CLI by the benchmark (NODE_OPTIONS=--require): writes the process's peak RSS, which includes
// its worker threads, to the file named by ROUTE_DOCTOR_RSS_FILE when the process exits.
const { isMainThread } = require('node:worker_threads');
const { writeFileSync } = require('node:fs');

if (isMainThread && process.env.ROUTE_DOCTOR_RSS_FILE) {
  process.on('exit', () => {
    writeFileSync(process.env.ROUTE_DOCTOR_RSS_FILE, String(process.resourceUsage().maxRSS / 1024));
  });
}
