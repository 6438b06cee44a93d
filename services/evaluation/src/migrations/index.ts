import { CreateEvaluation1732800000000 } from './1732800000000-create-evaluation';

/** Migrations of the `evaluation` schema, in order; the outbox and inbox tables come from libs/persistence. */
export const migrations = [CreateEvaluation1732800000000];
