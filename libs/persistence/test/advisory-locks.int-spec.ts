import { uniqueName, waitFor } from '@newsroom/testing';
import { advisoryXactLocks, tryAdvisoryXactLock, tryWithAdvisoryLock, withAdvisoryLock } from '../src';
import { TestSchema, createTestSchema } from '../src/testing';

describe('advisory locks on real PostgreSQL', () => {
  let db: TestSchema;
  beforeAll(async () => {
    db = await createTestSchema();
  });
  afterAll(() => db.drop());

  it('a held session lock makes tryWithAdvisoryLock give up and withAdvisoryLock wait', async () => {
    const name = uniqueName('lock');
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const holding = new Promise<void>((resolve) => (entered = resolve));
    const holder = withAdvisoryLock(db.dataSource, name, async () => {
      entered();
      await held;
      return 'first';
    });
    await holding;
    expect(await tryWithAdvisoryLock(db.dataSource, name, async () => 'second')).toBeUndefined();
    const order: string[] = [];
    const waiter = withAdvisoryLock(db.dataSource, name, async () => order.push('waiter'));
    order.push('release');
    release();
    expect(await holder).toBe('first');
    await waiter;
    expect(order).toEqual(['release', 'waiter']);
    // Released and its connection returned, even after a failure inside.
    await expect(
      withAdvisoryLock(db.dataSource, name, async () => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
    expect(await tryWithAdvisoryLock(db.dataSource, name, async () => 'free')).toBe('free');
  });

  it('a transaction lock is held until the transaction ends', async () => {
    const name = uniqueName('xact');
    await db.dataSource.transaction(async (manager) => {
      expect(await tryAdvisoryXactLock(manager, name)).toBe(true);
      await db.dataSource.transaction(async (other) => {
        expect(await tryAdvisoryXactLock(other, name)).toBe(false);
      });
    });
    await db.dataSource.transaction(async (manager) =>
      expect(await tryAdvisoryXactLock(manager, name)).toBe(true),
    );
  });

  it('per-id locks serialise writers of a shared id, whatever order they list the ids in', async () => {
    const namespace = uniqueName('ids');
    const log: string[] = [];
    let releaseA!: () => void;
    const aMayFinish = new Promise<void>((resolve) => (releaseA = resolve));
    let aEntered!: () => void;
    const aInside = new Promise<void>((resolve) => (aEntered = resolve));
    const a = db.dataSource.transaction(async (manager) => {
      await advisoryXactLocks(manager, namespace, ['x', 'y', 'z']);
      log.push('a in');
      aEntered();
      await aMayFinish;
      log.push('a out');
    });
    await aInside;
    const b = db.dataSource.transaction(async (manager) => {
      await advisoryXactLocks(manager, namespace, ['z', 'x']);
      log.push('b in');
    });
    await waitFor('b to wait for a lock', async () => {
      const [{ waiting }] = await db.dataSource.query(
        // b takes 'x' first (sorted), so it waits on that key.
        `SELECT count(*)::int AS waiting FROM pg_locks
         WHERE locktype = 'advisory' AND NOT granted AND objid = (hashtext($1 || ':x')::bigint & 4294967295)::oid`,
        [namespace],
      );
      return waiting > 0;
    });
    expect(log).toEqual(['a in']);
    releaseA();
    await Promise.all([a, b]);
    expect(log).toEqual(['a in', 'a out', 'b in']);
  });
});
