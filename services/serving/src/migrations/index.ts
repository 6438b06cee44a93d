import { CreateServing1733000000000 } from './1733000000000-create-serving';

/** Migrations of the `serving` schema, in order; the outbox and inbox tables come from libs/persistence. */
export const migrations = [CreateServing1733000000000];
