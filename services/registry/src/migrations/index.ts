/** Migrations of the `registry` schema, in order; the outbox and inbox tables come from libs/persistence. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const migrations: Function[] = [];
