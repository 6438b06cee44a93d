import { CreateTraining1732700000000 } from './1732700000000-create-training';

/** Migrations of the `training` schema, in order; the outbox and inbox tables come from libs/persistence. */
export const migrations = [CreateTraining1732700000000];
