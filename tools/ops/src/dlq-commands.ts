import {
  DeadLetterSummary,
  EventPublisher,
  listDeadLetters,
  replayDeadLetters,
  resolveDeadLetterTopic,
} from '@newsroom/messaging';
import { Kafka } from 'kafkajs';
import { ParseArgsConfig, parseArgs } from 'node:util';

/** A command line the tool cannot run: printed with the usage, exit code 2. */
export class UsageError extends Error {}

/** `ops dlq list [--json]`: what each dead-letter topic holds, non-empty ones only in the table. */
export async function dlqList(kafka: Kafka, topicPrefix: string, args: string[]): Promise<number> {
  const { values } = parse(args, { json: { type: 'boolean' } }, 0);
  const summaries = await listDeadLetters(kafka, { topicPrefix });
  if (values.json) {
    console.log(JSON.stringify(summaries, null, 2));
    return 0;
  }
  const filled = summaries.filter((s) => s.count > 0);
  if (filled.length === 0) {
    console.log(`no dead letters (${summaries.length} dead-letter topic(s) present, all empty)`);
    return 0;
  }
  printTable([
    ['dead-letter topic', 'count', 'reasons', 'oldest failed-at', 'newest failed-at'],
    ...filled.map((s) => [
      s.topic,
      String(s.count),
      formatCounts(s.byReason),
      s.oldestFailedAt ?? '-',
      s.newestFailedAt ?? '-',
    ]),
  ]);
  return 0;
}

/** `ops dlq replay <topic> [--reason <reason>] [--error-contains <text>] [--dry-run]`. */
export async function dlqReplay(kafka: Kafka, topicPrefix: string, args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    { reason: { type: 'string' }, 'error-contains': { type: 'string' }, 'dry-run': { type: 'boolean' } },
    1,
  );
  const topic = positionals[0];
  try {
    resolveDeadLetterTopic(topic);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const publisher = new EventPublisher(kafka, topicPrefix);
  try {
    const result = await replayDeadLetters(kafka, publisher, {
      topicPrefix,
      topic,
      reason: values.reason,
      errorContains: values['error-contains'],
      dryRun: values['dry-run'] === true,
    });
    const counts = result.replayed > 0 ? `: ${formatCounts(result.byReason)}` : '';
    const verb = result.dryRun ? 'dry run: would replay' : 'replayed';
    console.log(`${verb} ${result.replayed} of ${result.read} record(s) from ${result.topic}${counts}`);
    if (!result.dryRun && result.replayed > 0) console.log(`the dead letters stay on ${result.topic}`);
    return 0;
  } finally {
    await publisher.disconnect();
  }
}

function parse<T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
  positionals: number,
) {
  try {
    const parsed = parseArgs({ args, options, allowPositionals: true as const, strict: true as const });
    if (parsed.positionals.length !== positionals)
      throw new Error(`expected ${positionals} argument(s), got ${parsed.positionals.length}`);
    return parsed;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function formatCounts(counts: DeadLetterSummary['byReason']): string {
  return Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([reason, n]) => `${reason}=${n}`)
    .join(' ');
}

function printTable(rows: string[][]): void {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  for (const row of rows)
    console.log(
      row
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    );
}
