import { ConflictException, Injectable } from '@nestjs/common';
import { ArtifactStore } from '@newsroom/artifacts';
import { ReaderDataRequestsService } from './reader-data-requests.service';
import { readerDataReceipt } from './reader-data-receipt';

/**
 * A completed export as one document: the receipt, then each holder's part read back from the
 * artifact store (verified against its sha256). Serving replicas share one table, so their parts
 * are the same bytes: each distinct part appears once.
 */
@Injectable()
export class ReaderExportService {
  constructor(
    private readonly requests: ReaderDataRequestsService,
    private readonly artifacts: ArtifactStore,
  ) {}

  async document(requestId: string): Promise<Record<string, unknown>> {
    const { request, confirmations } = await this.requests.load(requestId);
    const receipt = readerDataReceipt(request, confirmations);
    if (request.action !== 'export') throw new ConflictException(`request "${requestId}" is an erasure`);
    if (!receipt.complete) {
      const pending = receipt.holders.filter((h) => !h.confirmedAt).map((h) => h.instance ?? h.holder);
      throw new ConflictException(`export "${requestId}" is waiting for ${pending.join(', ')}`);
    }
    const parts: Record<string, unknown> = {};
    const read = new Set<string>();
    for (const c of confirmations) {
      if (!c.part || read.has(c.part.sha256)) continue;
      read.add(c.part.sha256);
      const {
        holder: _holder,
        userId: _userId,
        ...data
      } = JSON.parse((await this.artifacts.read(c.part)).toString('utf8'));
      parts[c.holder] = data;
    }
    return { receipt, data: parts };
  }
}
