import { Module } from '@nestjs/common';
import { ReaderVectors } from './reader-vectors';

/** The listed readers' vectors in memory: the freshness path reads them, an erasure drops one. */
@Module({
  providers: [ReaderVectors],
  exports: [ReaderVectors],
})
export class ReaderVectorsModule {}
