/**
 * The services that write to the artifact store, so their mount of it must be writable: the feature
 * store (datasets), training (model weights), and every holder of a reader's data (its part of an
 * export). A read-only mount fails only when the write comes, e.g. at a reader's first export.
 */
export const artifactWriters = [
  'batch-scoring',
  'feature-store',
  'ingestion',
  'monitoring',
  'serving',
  'training',
];
