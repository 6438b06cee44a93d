module.exports = require('../testing/jest-int-config')(__dirname);
