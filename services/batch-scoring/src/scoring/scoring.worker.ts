// A scoring thread: one per core, each with its own TensorFlow.js and copy of the champion, so a
// replica scores several shards at once (TensorFlow.js runs on the thread that calls it).
import {
  ageBucketCount,
  BackendChoice,
  CandidateScorer,
  computeAttributionBaseline,
  decodeModel,
  GroupAttributor,
  selectBackend,
} from '@newsroom/ml';
import { parentPort } from 'node:worker_threads';
import { ScoringReply, ScoringRequest } from './scoring-worker-protocol';

const port = parentPort;
if (!port) throw new Error('scoring.worker must run in a worker thread');

let scorer: CandidateScorer | undefined;
let backend: Promise<BackendChoice> | undefined;
let poolId: number | undefined;

function loaded(): CandidateScorer {
  if (!scorer) throw new Error('no model loaded');
  return scorer;
}

async function handle(request: ScoringRequest): Promise<ScoringReply> {
  switch (request.type) {
    case 'load': {
      backend ??= selectBackend(request.backends);
      const choice = await backend;
      const { model, encoder, attributionBaseline, lineage } = decodeModel(Buffer.from(request.modelBytes));
      scorer?.dispose();
      scorer = new CandidateScorer(model, encoder);
      poolId = undefined;
      return {
        id: request.id,
        type: 'loaded',
        backend: choice,
        dimensions: scorer.dimensions,
        freshness: model.freshnessTerms(Int32Array.from({ length: ageBucketCount }, (_, b) => b)),
        ...(attributionBaseline ? { attributionBaseline } : {}),
        ...(lineage ? { lineage } : {}),
      };
    }
    case 'baseline': {
      const { model, encoder } = loaded();
      const baseline = computeAttributionBaseline(
        model,
        encoder,
        request.profiles,
        request.articles,
        'population',
      );
      return { id: request.id, type: 'baseline', baseline };
    }
    case 'explain': {
      const current = loaded();
      const attributor = new GroupAttributor(current.model, request.baseline);
      current.explainWith(attributor);
      return { id: request.id, type: 'explaining', baselineScore: attributor.baselineScore };
    }
    case 'articles': {
      const current = loaded();
      const vectors = current.articleVectors(request.articles);
      return {
        id: request.id,
        type: 'vectors',
        vectors,
        ...(request.coalitions ? { coalitions: current.articleCoalitions(request.articles) } : {}),
      };
    }
    case 'readers': {
      const current = loaded();
      if (request.pool) {
        current.setPool(request.pool, request.coalitions, request.freshness);
        poolId = request.poolId;
      } else if (poolId !== request.poolId) {
        throw new Error(`pool ${request.poolId} was never sent to this thread`);
      }
      const { vectors, top, explained } = current.scoreReaders(request.profiles, request.excluded, request.k);
      return {
        id: request.id,
        type: 'scored',
        vectors,
        indices: top.indices,
        scores: top.scores,
        ...(explained ?? {}),
      };
    }
  }
}

// One request at a time, in order: a pool or model change applies to the requests after it.
let queue = Promise.resolve();
port.on('message', (request: ScoringRequest) => {
  queue = queue.then(async () => {
    let reply: ScoringReply;
    try {
      reply = await handle(request);
    } catch (error) {
      reply = { id: request.id, type: 'failed', message: (error as Error).message };
    }
    port.postMessage(reply);
  });
});
