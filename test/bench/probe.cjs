// Preloaded into the CLI by the benchmark (NODE_OPTIONS=--require): when the process exits, writes its peak RSS and
// CPU time, both of which include its worker threads, as JSON to the file named by ROUTE_DOCTOR_PROBE_FILE.
const { isMainThread } = require('node:worker_threads');
const { writeFileSync } = require('node:fs');

if (isMainThread && process.env.ROUTE_DOCTOR_PROBE_FILE) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(process.env.ROUTE_DOCTOR_PROBE_FILE, JSON.stringify({
      peakRssMB: usage.maxRSS / 1024,
      cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
    }));
  });
}
