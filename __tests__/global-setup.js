// Builds the bundle (.build/) once before the workers start, so tests that spawn the bin never
// race to rebuild it.
const { spawnSync } = require('node:child_process');
const { build, isFresh } = require('../scripts/build.cjs');

module.exports = async () => {
  if (!isFresh()) build();
  // Said once per run: the tests that need these tools skip without them.
  for (const [tool, args] of [
    ['terraform', ['version']],
    ['kubectl', ['version', '--client']],
  ]) {
    const r = spawnSync(tool, args, { encoding: 'utf8' });
    if (r.error !== undefined || r.status !== 0) {
      console.log(`\n${tool} is not available (${r.error?.message ?? r.stderr.trim()}): the tests that run it are skipped and say so`);
    }
  }
};
