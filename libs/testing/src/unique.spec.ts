import { uniqueName } from './unique';
import { waitFor } from './wait-for';

describe('uniqueName', () => {
  it('gives distinct valid SQL identifiers', () => {
    const names = new Set(Array.from({ length: 100 }, () => uniqueName('My-Test')));
    expect(names.size).toBe(100);
    for (const name of names) expect(name).toMatch(/^my_test_\d+_[0-9a-f]{8}$/);
  });
});

describe('waitFor', () => {
  it('returns the first truthy value', async () => {
    let calls = 0;
    await expect(
      waitFor('third call', () => (++calls >= 3 ? calls : false), { intervalMs: 1 }),
    ).resolves.toBe(3);
  });

  it('names what it waited for when the deadline passes', async () => {
    await expect(waitFor('the impossible', () => false, { timeoutMs: 20, intervalMs: 5 })).rejects.toThrow(
      /waiting for the impossible/,
    );
  });
});
