import { ArtifactStore } from '@newsroom/artifacts';
import {
  DatasetArticle,
  DatasetExample,
  DatasetHeader,
  DatasetLine,
  DatasetReader,
  Region,
  datasetFormat,
} from '@newsroom/contracts';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/**
 * A dataset file in memory, examples in columns (a pilot dataset has about a million): articles and
 * readers are indexed, each example points into its reader's reads (`history` of them came before).
 */
export interface TrainingSet {
  header: DatasetHeader;
  articles: DatasetArticle[];
  articleIndex: Map<string, number>;
  readers: {
    userId: string;
    article: Int32Array;
    dwell: Float32Array;
    time: Float64Array;
    /** Articles shown to the reader in the validation split (-1: not in the file). */
    shown: Int32Array;
  }[];
  readerIndex: Map<string, number>;
  examples: {
    count: number;
    reader: Int32Array;
    article: Int32Array;
    dwell: Float32Array;
    time: Float64Array;
    history: Int32Array;
    validation: Uint8Array;
    /** The reader's dwell-weighted category mix as of the example, as a map per example. */
    categoryMix: Record<string, number>[];
    /** The reader's reads before the example, all time (the history above is the file's part). */
    priorReads: Int32Array;
    region: (Region | null)[];
  };
}

export class DatasetFormatError extends Error {
  override readonly name = 'DatasetFormatError';
}

/**
 * Reads a dataset's lines. The header and the first line of each kind are checked against the
 * contract (every line would cost more than the training); every line must have a known kind.
 */
export async function loadDataset(lines: AsyncIterable<string> | Iterable<string>): Promise<TrainingSet> {
  let header: DatasetHeader | undefined;
  const examples: DatasetExample[] = [];
  const readers: DatasetReader[] = [];
  const articles: DatasetArticle[] = [];
  const checked = new Set<string>();
  let lineNumber = 0;
  for await (const text of lines) {
    lineNumber += 1;
    if (text.length === 0) continue;
    let line = JSON.parse(text) as DatasetLine;
    if (!checked.has(line.kind)) {
      const parsed = DatasetLine.safeParse(line);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new DatasetFormatError(
          `line ${lineNumber}: ${issue.path.join('.') || 'line'}: ${issue.message}`,
        );
      }
      line = parsed.data;
      checked.add(line.kind);
    }
    switch (line.kind) {
      case 'header':
        header = line;
        break;
      case 'example':
        examples.push(line);
        break;
      case 'reader':
        readers.push(line);
        break;
      case 'article':
        articles.push(line);
        break;
      default:
        throw new DatasetFormatError(`line ${lineNumber}: unknown kind ${(line as { kind: string }).kind}`);
    }
  }
  if (!header) throw new DatasetFormatError(`no header line: not a ${datasetFormat} file`);

  const articleIndex = new Map(articles.map((a, i) => [a.articleId, i]));
  const readerIndex = new Map(readers.map((r, i) => [r.userId, i]));
  const n = examples.length;
  const set: TrainingSet = {
    header,
    articles,
    articleIndex,
    readerIndex,
    readers: readers.map((r) => ({
      userId: r.userId,
      article: Int32Array.from(r.reads, ([id]) => articleIndex.get(id) ?? -1),
      dwell: Float32Array.from(r.reads, ([, dwell]) => dwell),
      time: Float64Array.from(r.reads, ([, , time]) => time),
      shown: Int32Array.from(r.shown, ([id]) => articleIndex.get(id) ?? -1),
    })),
    examples: {
      count: n,
      reader: new Int32Array(n),
      article: new Int32Array(n),
      dwell: new Float32Array(n),
      time: new Float64Array(n),
      history: new Int32Array(n),
      validation: new Uint8Array(n),
      categoryMix: new Array(n),
      priorReads: new Int32Array(n),
      region: new Array(n),
    },
  };
  examples.forEach((e, i) => {
    const reader = readerIndex.get(e.userId);
    const article = articleIndex.get(e.articleId);
    if (reader === undefined || article === undefined) {
      throw new DatasetFormatError(
        `example ${e.eventId} refers to a reader or article the file does not have`,
      );
    }
    set.examples.reader[i] = reader;
    set.examples.article[i] = article;
    set.examples.dwell[i] = e.dwellSeconds;
    set.examples.time[i] = Date.parse(e.occurredAt);
    set.examples.history[i] = e.user.history;
    set.examples.validation[i] = e.split === 'validation' ? 1 : 0;
    set.examples.categoryMix[i] = e.user.categoryMix;
    set.examples.priorReads[i] = e.user.reads;
    set.examples.region[i] = e.user.region;
  });
  return set;
}

/** The artifact store's reference of a dataset: named by its sha256, which is its id. */
export const datasetRef = (datasetId: string) => ({
  uri: ArtifactStore.uriOf('datasets', datasetId, 'jsonl'),
  sha256: datasetId,
});

/** A dataset from the artifact store, verified against its id before it is parsed. */
export async function readDataset(store: ArtifactStore, datasetId: string): Promise<TrainingSet> {
  const ref = datasetRef(datasetId);
  await store.verify(ref);
  return loadDataset(createInterface({ input: createReadStream(store.path(ref.uri)), crlfDelay: Infinity }));
}
