export * from './erased-reader-id';
export * from './reader-data-responder';
export * from './reader-data-store';
