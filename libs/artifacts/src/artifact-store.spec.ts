import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactIntegrityError, ArtifactStore, ArtifactStoreError } from './artifact-store';

describe('ArtifactStore', () => {
  let root: string;
  let store: ArtifactStore;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'artifacts-'));
    store = new ArtifactStore(root);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('names an artifact by the sha256 of its bytes and reads it back verified', async () => {
    const ref = await store.write('datasets', 'jsonl', async (sink) => {
      await sink.write('{"a":1}\n');
      await sink.write(Buffer.from('{"b":2}\n'));
    });
    expect(ref.sha256).toBe(createHash('sha256').update('{"a":1}\n{"b":2}\n').digest('hex'));
    expect(ref).toEqual({ uri: `artifact://datasets/${ref.sha256}.jsonl`, sha256: ref.sha256, bytes: 16 });
    expect((await store.read(ref)).toString()).toBe('{"a":1}\n{"b":2}\n');
    const again = await store.write('datasets', 'jsonl', async (sink) => sink.write('{"a":1}\n{"b":2}\n'));
    expect(again).toEqual(ref);
    expect(await readdir(join(root, 'datasets'))).toEqual([`${ref.sha256}.jsonl`]);
  });

  it('leaves nothing behind when the producer fails', async () => {
    await expect(
      store.write('datasets', 'jsonl', async (sink) => {
        await sink.write('partial');
        throw new Error('producer failed');
      }),
    ).rejects.toThrow('producer failed');
    expect(await readdir(join(root, 'datasets'))).toEqual([]);
  });

  it("names the store's own failure, not the server's paths, and keeps the producer's errors as they are", async () => {
    // A regular file where the kind's directory should be: the store cannot write there, root or not.
    await writeFile(join(root, 'models'), 'not a directory');
    const failed = await store
      .write('models', 'bin', async (sink) => sink.write('x'))
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ArtifactStoreError);
    expect((failed as Error).message).toMatch(/^the artifact store could not write to "models": E[A-Z]+: /);
    expect((failed as Error).message).not.toContain(root);

    const producerError = new Error('the dataset query failed');
    await expect(
      store.write('datasets', 'jsonl', async () => {
        throw producerError;
      }),
    ).rejects.toBe(producerError);
  });

  it('refuses a file whose bytes no longer match its name', async () => {
    const ref = await store.write('models', 'bin', async (sink) => sink.write('weights'));
    await writeFile(store.path(ref.uri), 'tampered');
    await expect(store.read(ref)).rejects.toBeInstanceOf(ArtifactIntegrityError);
    await expect(store.verify(ref)).rejects.toThrow(/expected/);
  });

  it('refuses URIs outside the store', () => {
    expect(() => store.path('artifact://datasets/../../etc/passwd')).toThrow(/escapes/);
    expect(() => store.path('file:///etc/passwd')).toThrow(/not an artifact URI/);
  });
});
