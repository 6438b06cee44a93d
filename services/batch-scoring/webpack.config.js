// Scoring threads run scoring.worker.js, built next to main.js.
module.exports = require('../../tools/build/node-app-webpack')(__dirname, {
  'scoring.worker': './src/scoring/scoring.worker.ts',
});
