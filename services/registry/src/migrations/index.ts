import { CreateRegistry1732900000000 } from './1732900000000-create-registry';
import { CreateDatasets1734900000000 } from './1734900000000-create-datasets';

/** Migrations of the `registry` schema, in order; the outbox and inbox tables come from libs/persistence. */
export const migrations = [CreateRegistry1732900000000, CreateDatasets1734900000000];
