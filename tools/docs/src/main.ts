import { runCommandLine } from '@newsroom/config';
import { allTopics } from '@newsroom/contracts';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderReadme, staleSections } from './topic-docs';

/**
 * Docs generator CLI. `docs topics` rewrites the README's topic table and topic flow diagram from
 * the catalog in libs/contracts/src/topics.ts (between their marker comments); `docs topics
 * --check` changes nothing and exits 1 when they are out of date. Exit codes: 0 done (or up to
 * date), 1 out of date, 2 bad command line.
 */
const usage = 'usage: docs topics [--check]';

// The workspace root, three levels up both from the bundle (dist/tools/docs) and from the source (tools/docs/src).
const readmePath = path.resolve(__dirname, '../../..', 'README.md');

async function main(args: string[]): Promise<number> {
  const [command, ...options] = args;
  if (command !== 'topics' || options.some((o) => o !== '--check')) {
    console.error(usage);
    return 2;
  }
  const readme = readFileSync(readmePath, 'utf8');
  const stale = staleSections(readme, allTopics);
  if (options.includes('--check')) {
    if (stale.length === 0) return 0;
    console.error(`README.md is out of date (${stale.join(', ')}): run npm run docs:topics`);
    return 1;
  }
  if (stale.length > 0) writeFileSync(readmePath, renderReadme(readme, allTopics));
  console.log(stale.length > 0 ? `README.md: ${stale.join(', ')} regenerated` : 'README.md: up to date');
  return 0;
}

runCommandLine(main);
