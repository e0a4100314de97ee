// Preloaded with `node --require` by the dispatch benchmark: records the process's peak RSS (KiB)
// and its own CPU time (user + system, ms; hook-tool children not included).
const fs = require('node:fs');

process.on('exit', () => {
  const file = process.env.OPSJS_BENCH_RSS;
  if (file) {
    const cpu = process.cpuUsage();
    fs.appendFileSync(
      file,
      `${process.resourceUsage().maxRSS} ${(cpu.user + cpu.system) / 1000}\n`,
    );
  }
});
