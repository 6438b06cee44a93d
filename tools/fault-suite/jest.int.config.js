module.exports = require('../../libs/testing/jest-int-config')(__dirname);
