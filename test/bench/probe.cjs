// Preloaded into the CLI by the benchmark (NODE_OPTIONS=--require): when the process exits, writes its peak RSS and
// CPU time, both of which include its worker threads, as JSON to the file named by ROUTE_DOCTOR_PROBE_FILE; on Linux
// also the CPU time of the main thread alone, which bounds the wall time on an idle machine.
const { isMainThread } = require('node:worker_threads');
const { readFileSync, writeFileSync } = require('node:fs');

/** CPU time of the main thread (its task's utime + stime, in clock ticks of 10 ms), or null where /proc is missing. */
function mainThreadCpuMs() {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

if (isMainThread && process.env.ROUTE_DOCTOR_PROBE_FILE) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(process.env.ROUTE_DOCTOR_PROBE_FILE, JSON.stringify({
      peakRssMB: usage.maxRSS / 1024,
      cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
      mainThreadCpuMs: mainThreadCpuMs(),
    }));
  });
}
