import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { z } from 'zod';

/** A stored blob, as events carry it (claim check): where it is and what its bytes hash to. */
export interface ArtifactRef {
  uri: string;
  sha256: string;
  bytes: number;
}

export const artifactEnv = {
  /** Root directory of the artifact store (a shared volume in Kubernetes). */
  ARTIFACT_STORE_DIR: z.string().min(1).default('.local/artifacts'),
};

/** Chunks written by an artifact's producer; `write` waits when the file is behind. */
export interface ArtifactSink {
  write(chunk: string | Buffer): Promise<void> | void;
}

export class ArtifactIntegrityError extends Error {
  override readonly name = 'ArtifactIntegrityError';
}

/**
 * The store itself failed a write (full, over quota, read-only, missing): not the producer's fault
 * nor the request's. The message names the store and the errno, never the server's paths.
 */
export class ArtifactStoreError extends Error {
  override readonly name = 'ArtifactStoreError';

  constructor(kind: string, cause: unknown) {
    const message = (cause as Error)?.message ?? String(cause);
    // "EFBIG: file too large, write" / "ENOSPC: no space left on device, open '/…'": up to the comma.
    const reason = /^[A-Z][A-Z0-9_]*: [^,]+/.exec(message)?.[0] ?? message;
    super(`the artifact store could not write to "${kind}": ${reason}`, { cause });
  }
}

const scheme = 'artifact://';
const kindPattern = /^[a-z][a-z0-9-]*$/;

/**
 * Content-addressed, immutable artifacts on a filesystem (a PVC in production): each file is named
 * by the sha256 of its bytes, so the same content is stored once and a URI never changes meaning.
 * URIs are relative to the store (`artifact://<kind>/<sha256>.<ext>`): services mounting it at
 * different paths agree on them.
 */
export class ArtifactStore {
  constructor(readonly root: string) {}

  /** The URI an artifact of this kind and content is stored under. */
  static uriOf(kind: string, sha256: string, extension: string): string {
    return `${scheme}${kind}/${sha256}.${extension}`;
  }

  static fromEnv(config: { ARTIFACT_STORE_DIR: string }): ArtifactStore {
    return new ArtifactStore(config.ARTIFACT_STORE_DIR);
  }

  /**
   * Stores what `produce` writes. It goes to a temporary file first and is renamed into place only
   * when complete, so a crash never leaves a half-written artifact under a real name.
   */
  async write(
    kind: string,
    extension: string,
    produce: (sink: ArtifactSink) => Promise<void>,
  ): Promise<ArtifactRef> {
    if (!kindPattern.test(kind)) throw new Error(`artifact kind "${kind}" must match ${kindPattern}`);
    const directory = join(this.root, kind);
    await mkdir(directory, { recursive: true }).catch((error: unknown) => {
      throw new ArtifactStoreError(kind, error);
    });
    const temporary = join(directory, `.${randomUUID()}.partial`);
    const file = createWriteStream(temporary);
    // The file's own failure, kept: it tells a store failure from the producer's, and it must not
    // go unheard (an 'error' event without a listener would end the process).
    let fileError: unknown;
    file.on('error', (error) => (fileError ??= error));
    const hash = createHash('sha256');
    let bytes = 0;
    try {
      await produce({
        write: (chunk) => {
          // After a failure the stream is destroyed: it would never drain.
          if (fileError) throw fileError;
          hash.update(chunk);
          bytes += Buffer.byteLength(chunk);
          if (!file.write(chunk)) return once(file, 'drain').then(() => undefined);
        },
      });
      file.end();
      await finished(file);
      const sha256 = hash.digest('hex');
      const uri = ArtifactStore.uriOf(kind, sha256, extension);
      // Same bytes, same name: replacing an existing copy changes nothing.
      await rename(temporary, this.path(uri)).catch((error: unknown) => {
        throw new ArtifactStoreError(kind, error);
      });
      return { uri, sha256, bytes };
    } catch (error) {
      file.destroy();
      await rm(temporary, { force: true });
      throw fileError ? new ArtifactStoreError(kind, fileError) : error;
    }
  }

  /** The local path of a URI of this store. */
  path(uri: string): string {
    if (!uri.startsWith(scheme)) throw new Error(`not an artifact URI: ${uri}`);
    const relative = uri.slice(scheme.length);
    if (relative.split('/').some((part) => part === '..' || part === '')) {
      throw new Error(`artifact URI escapes the store: ${uri}`);
    }
    return join(this.root, relative);
  }

  /** Hashes the stored file; throws ArtifactIntegrityError when it is not what the ref says. */
  async verify(ref: Pick<ArtifactRef, 'uri' | 'sha256'>): Promise<void> {
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(this.path(ref.uri))) hash.update(chunk as Buffer);
    const actual = hash.digest('hex');
    if (actual !== ref.sha256) {
      throw new ArtifactIntegrityError(`${ref.uri}: sha256 is ${actual}, expected ${ref.sha256}`);
    }
  }

  /** The whole artifact, verified against its sha256. */
  async read(ref: Pick<ArtifactRef, 'uri' | 'sha256'>): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of createReadStream(this.path(ref.uri))) chunks.push(chunk as Buffer);
    const content = Buffer.concat(chunks);
    const actual = createHash('sha256').update(content).digest('hex');
    if (actual !== ref.sha256) {
      throw new ArtifactIntegrityError(`${ref.uri}: sha256 is ${actual}, expected ${ref.sha256}`);
    }
    return content;
  }
}
