import { loadConfig, runCommandLine } from '@newsroom/config';
import {
  EventSink,
  PublishSummary,
  World,
  importMind,
  publishEvents,
  readsOnly,
  simulate,
  writeTruthJsonl,
} from '@newsroom/datagen';
import {
  EventPublisher,
  createKafka,
  kafkaSecurity,
  kafkaSecurityEnv,
  messagingEnv,
} from '@newsroom/messaging';
import { z } from 'zod';
import { Command, UsageError, parseCommand, usage } from './args';

/**
 * Data generator CLI: publishes a synthetic news world, or imports MIND files, into
 * articles.raw / interactions.raw (or, with --dry-run, only generates and counts). Progress goes
 * to stderr, the summary to stdout. Exit codes: 0 done, 1 failed, 2 bad command line.
 */
const configSchema = z.object({
  KAFKA_BROKERS: messagingEnv.KAFKA_BROKERS,
  ...kafkaSecurityEnv,
  KAFKA_TOPIC_PREFIX: messagingEnv.KAFKA_TOPIC_PREFIX,
});

const number = (n: number) => n.toLocaleString('en-US');
const megabytes = () => Math.round(process.resourceUsage().maxRSS / 1024);

function progress(p: PublishSummary): void {
  const interactions = p.interactions.impression + p.interactions.click + p.interactions.read;
  process.stderr.write(
    `  day ${p.day}: ${number(p.articles)} articles, ${number(interactions)} interactions, ${number(p.corrupted)} corrupted` +
      ` · ${number(p.eventsPerSecond)} events/s · ${(p.elapsedMs / 1000).toFixed(1)} s · rss ${Math.round(process.memoryUsage().rss / 1e6)} MB\n`,
  );
}

function printSummary(s: PublishSummary, target: string): void {
  const verb = s.dryRun ? 'generated (dry run, nothing sent)' : `published to ${target}`;
  console.log(
    `${verb}: ${number(s.articles)} articles; interactions: ${number(s.interactions.impression)} impressions, ` +
      `${number(s.interactions.click)} clicks, ${number(s.interactions.read)} reads; ${number(s.corrupted)} corrupted` +
      (s.corrupted > 0
        ? ` (${Object.entries(s.corruptedByKind)
            .map(([k, n]) => `${k} ${n}`)
            .join(', ')})`
        : ''),
  );
  console.log(
    `total ${number(s.total)} events in ${(s.elapsedMs / 1000).toFixed(1)} s = ${number(s.eventsPerSecond)} events/s` +
      (s.dryRun ? `, ${(s.bytes / 1e6).toFixed(1)} MB of JSON` : `, ${number(s.sends)} sends`) +
      `; peak RSS ${megabytes()} MB`,
  );
}

async function withSink<T>(
  dryRun: boolean,
  run: (sink: EventSink | null, target: string) => Promise<T>,
): Promise<T> {
  if (dryRun) return run(null, '');
  const config = loadConfig(configSchema);
  const publisher = new EventPublisher(
    createKafka({
      brokers: config.KAFKA_BROKERS,
      security: kafkaSecurity(config),
      clientId: 'newsroom-datagen',
    }),
    config.KAFKA_TOPIC_PREFIX,
  );
  try {
    await publisher.connect();
    return await run(
      publisher,
      `${config.KAFKA_BROKERS.join(',')} (topic prefix "${config.KAFKA_TOPIC_PREFIX}")`,
    );
  } finally {
    await publisher.disconnect();
  }
}

async function runWorld(command: Extract<Command, { command: 'world' }>): Promise<number> {
  const c = command.config;
  console.log(
    `world: preset ${command.preset}, seed ${c.seed}, start ${c.start}, ${c.days} day(s), ${number(c.readers)} readers, ` +
      `${number(c.articlesPerDay)} articles/day` +
      (c.interestDriftFromDay !== null ? `, drift from day ${c.interestDriftFromDay}` : '') +
      (c.volumeDropOnDay !== null ? `, volume ×${c.volumeDropFactor} on day ${c.volumeDropOnDay}` : '') +
      (c.corruptedShare > 0 ? `, ${c.corruptedShare} corrupted` : '') +
      (command.readsOnly ? ', reads only (no impressions or clicks)' : ''),
  );
  const started = performance.now();
  const world = new World(c);
  console.log(
    `world built in ${Math.round(performance.now() - started)} ms (${number(world.articleCount)} articles incl. warm-up)`,
  );
  if (command.truthOut) {
    const written = await writeTruthJsonl(world, command.truthOut);
    console.log(
      `ground truth: ${command.truthOut} (${number(written.readers)} readers, ${number(written.articles)} articles)`,
    );
  }
  return withSink(command.dryRun, async (sink, target) => {
    const events = command.readsOnly ? readsOnly(simulate(world)) : simulate(world);
    const summary = await publishEvents(sink, events, {
      batchSize: command.batchSize,
      maxInFlight: command.inFlight,
      onProgress: progress,
    });
    printSummary(summary, target);
    return 0;
  });
}

async function runMind(command: Extract<Command, { command: 'mind' }>): Promise<number> {
  const { events, report } = importMind({
    newsPath: command.news,
    behaviorsPath: command.behaviors,
    history: command.history,
    readDwellSeconds: command.readDwellSeconds,
    onProblem: (p) => {
      if (report.problemCount <= 20) process.stderr.write(`  skipped ${p.file}:${p.line}: ${p.message}\n`);
      if (report.problemCount === 21) process.stderr.write('  (further problems are counted, not printed)\n');
    },
  });
  return withSink(command.dryRun, async (sink, target) => {
    const summary = await publishEvents(sink, events, {
      batchSize: command.batchSize,
      maxInFlight: command.inFlight,
      onProgress: progress,
    });
    printSummary(summary, target);
    console.log(
      `MIND: ${number(report.newsLines)} news lines, ${number(report.behaviorLines)} behaviors lines, ` +
        `${number(report.problemCount)} malformed line(s) skipped`,
    );
    return 0;
  });
}

async function main(argv: string[]): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`error: ${error.message}\n\n${usage}`);
      return 2;
    }
    throw error;
  }
  switch (command.command) {
    case 'help':
      console.log(usage);
      return 0;
    case 'world':
      return runWorld(command);
    case 'mind':
      return runMind(command);
  }
}

runCommandLine(main, 'error: ');
