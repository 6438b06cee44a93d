// recommendations.served is published from a worker thread: served-log.worker.js, next to main.js.
module.exports = require('../../tools/build/node-app-webpack')(__dirname, {
  'served-log.worker': './src/recommendations/served-log.worker.ts',
});
