import { FactoryProvider } from '@nestjs/common';
import { ArtifactStore } from '@newsroom/artifacts';
import { SERVICE_CONFIG } from './service-config';

/** The artifact store at the service's ARTIFACT_STORE_DIR, injectable as `ArtifactStore`. */
export const artifactStoreProvider: FactoryProvider<ArtifactStore> = {
  provide: ArtifactStore,
  inject: [SERVICE_CONFIG],
  useFactory: (config: { ARTIFACT_STORE_DIR: string }) => ArtifactStore.fromEnv(config),
};
