/** The `warehouse` schema's migrations, in order; the outbox and inbox come from libs/persistence. */
export const migrations = [];
