import { Module } from '@nestjs/common';
import { SERVICE_CONFIG } from '@newsroom/platform';
import { ApiKeysModule } from '../api-keys.module';
import { ServingConfig } from '../config';
import { EditorialCaps } from './editorial-caps';
import { PinBoard } from './pin-board';
import { PinsController } from './pins.controller';
import { PinsReloadJob } from './pins-reload.job';
import { PinsService } from './pins.service';

/** Editorial rules applied at serve time: caps per publisher and category, editors' pins. */
@Module({
  imports: [ApiKeysModule],
  controllers: [PinsController],
  providers: [
    PinsService,
    PinBoard,
    PinsReloadJob,
    {
      provide: EditorialCaps,
      inject: [SERVICE_CONFIG],
      useFactory: (config: ServingConfig) => new EditorialCaps(config.SERVING_EDITORIAL_CAPS),
    },
  ],
  exports: [PinBoard, EditorialCaps],
})
export class EditorialModule {}
