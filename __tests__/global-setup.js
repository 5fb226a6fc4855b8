// Builds .build/ once before the workers start, so tests that spawn the bin never race to
// rebuild it.
const { build, isFresh } = require('../scripts/build.cjs');

module.exports = async () => {
  if (!isFresh()) build();
};
