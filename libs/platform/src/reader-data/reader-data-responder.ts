import { Inject, Injectable, Logger } from '@nestjs/common';
import { ArtifactStore } from '@newsroom/artifacts';
import { ReaderDataConfirmed, ReaderDataRequested } from '@newsroom/contracts';
import { DataSource, EntityManager } from 'typeorm';
import { z } from 'zod';
import { SERVICE_INSTANCE } from '../vitals/service-instance';
import { ReaderDataStore } from './reader-data-store';

type Requested = z.infer<typeof ReaderDataRequested>;
type Confirmed = z.infer<typeof ReaderDataConfirmed>;
/**
 * Publishes the confirmation in the erasure's transaction: the service's own outbox call, so that
 * the topic catalog sees each holder publish it.
 */
export type ConfirmReaderData = (manager: EntityManager, confirmation: Confirmed) => Promise<void>;

/**
 * Answers `readers.data-requested` for one service: an export writes what the service stores about
 * the reader as one JSON document to the artifact store (the confirmation carries its claim check);
 * an erasure removes it. The confirmation is published (`confirm`, through the outbox) in the same
 * transaction as the erasure, so it exists if and only if the erasure committed. A redelivered
 * request does it again: an export writes the same content-addressed part, an erasure finds
 * nothing more (monitoring keeps each holder's first confirmation).
 */
@Injectable()
export class ReaderDataResponder {
  private readonly logger = new Logger(ReaderDataResponder.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly artifacts: ArtifactStore,
    @Inject(SERVICE_INSTANCE) private readonly instance: string,
  ) {}

  async respond(request: Requested, store: ReaderDataStore, confirm: ConfirmReaderData): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      let records: number;
      let part: { uri: string; sha256: string } | undefined;
      if (request.action === 'export') {
        const document = await store.exportReader(manager, request.userId);
        records = Object.values(document).reduce((sum, rows) => sum + rows.length, 0);
        const json = JSON.stringify({ holder: store.holder, userId: request.userId, ...document });
        const written = await this.artifacts.write('reader-data', 'json', async (sink) => sink.write(json));
        part = { uri: written.uri, sha256: written.sha256 };
      } else {
        records = await store.eraseReader(manager, request.userId, request.requestId);
      }
      await confirm(manager, {
        requestId: request.requestId,
        userId: request.userId,
        action: request.action,
        holder: store.holder,
        instance: this.instance,
        records,
        part,
        confirmedAt: new Date().toISOString(),
      });
      this.logger.log(`${request.action} of a reader's data (${request.requestId}): ${records} records`);
    });
    if (request.action === 'erasure') store.afterErasure?.(request.userId);
  }
}
