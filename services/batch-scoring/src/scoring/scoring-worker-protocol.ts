import { ArticleContent, BackendName, ReaderProfile } from '@newsroom/ml';

/** What the scoring pool asks a worker thread; each request carries an id its reply repeats. */
export type ScoringRequest =
  | { type: 'load'; id: number; modelBytes: Uint8Array; backends: BackendName[] }
  | { type: 'articles'; id: number; articles: ArticleContent[] }
  | {
      type: 'readers';
      id: number;
      /** The candidates' vectors travel with each request (a MiB or two), so no request sees another's pool. */
      poolId: number;
      pool: Float32Array;
      profiles: ReaderProfile[];
      /** Pool indices each reader is not offered (what they have read). */
      excluded: number[][];
      k: number;
    };

export type ScoringReply =
  | { id: number; type: 'loaded'; backend: string; dimensions: number }
  | { id: number; type: 'vectors'; vectors: Float32Array }
  | { id: number; type: 'scored'; vectors: Float32Array; indices: Int32Array; scores: Float32Array }
  | { id: number; type: 'failed'; message: string };
