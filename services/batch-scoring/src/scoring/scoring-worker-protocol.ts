import {
  ArticleContent,
  AttributionBaseline,
  BackendChoice,
  BackendName,
  ModelLineage,
  ReaderProfile,
} from '@newsroom/ml';

/** What the scoring pool asks a worker thread; each request carries an id its reply repeats. */
export type ScoringRequest =
  | { type: 'load'; id: number; modelBytes: Uint8Array; backends: BackendName[] }
  /** The baseline of the loaded model over these readers and articles (a model file without one). */
  | { type: 'baseline'; id: number; profiles: ReaderProfile[]; articles: ArticleContent[] }
  /** Explain lists from now on, measured from this baseline. */
  | { type: 'explain'; id: number; baseline: AttributionBaseline }
  /** Article vectors, and with `coalitions` their coalition vectors too (once explaining). */
  | { type: 'articles'; id: number; articles: ArticleContent[]; coalitions: boolean }
  | {
      type: 'readers';
      id: number;
      poolId: number;
      /**
       * The candidates' vectors, with the first request of a pool to each thread (which keeps them
       * for the next requests of the same pool), so no request sees another's pool.
       */
      pool?: Float32Array;
      /** With `pool`, when lists are explained: the candidates' coalition vectors (8 per candidate). */
      coalitions?: Float32Array;
      /** With `pool`: each candidate's freshness term, of its age as of the pool. */
      freshness?: Float32Array;
      profiles: ReaderProfile[];
      /** Pool indices each reader is not offered (what they have read). */
      excluded: number[][];
      k: number;
    };

export type ScoringReply =
  | {
      id: number;
      type: 'loaded';
      backend: BackendChoice;
      dimensions: number;
      /** The model's freshness term of each age bucket (ageBucket). */
      freshness: Float32Array;
      /** What the model file says (files written before these have neither). */
      attributionBaseline?: AttributionBaseline;
      lineage?: ModelLineage;
    }
  | { id: number; type: 'baseline'; baseline: AttributionBaseline }
  | { id: number; type: 'explaining'; baselineScore: number }
  | { id: number; type: 'vectors'; vectors: Float32Array; coalitions?: Float32Array }
  | {
      id: number;
      type: 'scored';
      vectors: Float32Array;
      indices: Int32Array;
      scores: Float32Array;
      /** With pool coalitions: [readers, 4, d] and [readers, k, 6] (see ExplainedReaders). */
      readerCoalitions?: Float32Array;
      attributions?: Float32Array;
    }
  | { id: number; type: 'failed'; message: string };
