// Two files at a time: each scenario runs on servers of its own (a private broker and database) or
// on its own topics and schemas, and most of a scenario is waiting (an outage, a restart, a held
// lock), which the other file's work can fill.
module.exports = { ...require('../../libs/testing/jest-int-config')(__dirname), maxWorkers: 2 };
