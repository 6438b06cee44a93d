// Evaluations run on evaluation.worker.js, built next to main.js.
module.exports = require('../../tools/build/node-app-webpack')(__dirname, {
  'evaluation.worker': './src/evaluations/evaluation.worker.ts',
});
