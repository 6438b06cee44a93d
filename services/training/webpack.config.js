// Training runs on training.worker.js, built next to main.js.
module.exports = require('../../tools/build/node-app-webpack')(__dirname, {
  'training.worker': './src/runs/training.worker.ts',
});
