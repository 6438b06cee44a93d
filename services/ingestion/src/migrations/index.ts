import { CreateWarehouse1732500000000 } from './1732500000000-create-warehouse';

/** Migrations of the `warehouse` schema, in order; the outbox and inbox tables come from libs/persistence. */
export const migrations = [CreateWarehouse1732500000000];
