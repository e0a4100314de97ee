// Preloaded with `node --require` by the dispatch benchmark: records the process's peak RSS.
const fs = require('node:fs');

process.on('exit', () => {
  const file = process.env.OPSJS_BENCH_RSS;
  if (file) fs.appendFileSync(file, `${process.resourceUsage().maxRSS}\n`);
});
