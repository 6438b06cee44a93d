import { FactoryProvider, Logger } from '@nestjs/common';
import { gauge } from '@newsroom/observability';
import { SERVICE_CONFIG } from '@newsroom/platform';
import { BackendChoice, BackendName, selectBackend } from './backend';

export const ML_BACKEND = Symbol('ML_BACKEND');

const backendInfo = gauge('ml_backend_info', 'The TensorFlow.js backend in use (1)', ['backend']);

/** Reports the backend a thread of this process computes on, as `ml_backend_info{backend}`. */
export function reportBackendInUse(name: string): void {
  backendInfo.set({ backend: name }, 1);
}

/**
 * The TensorFlow.js backend, chosen while the service starts (among the config's `ML_BACKENDS`)
 * and reported in the log and on /metrics as `ml_backend_info{backend}`.
 */
export const mlBackendProvider: FactoryProvider<Promise<BackendChoice>> = {
  provide: ML_BACKEND,
  inject: [SERVICE_CONFIG],
  useFactory: async (config: { ML_BACKENDS: BackendName[] }) => {
    const choice = await selectBackend(config.ML_BACKENDS);
    reportBackendInUse(choice.name);
    new Logger('TensorFlow.js').log(
      `backend: ${choice.name}${choice.skipped.map((s) => ` (not ${s.name}: ${s.reason})`).join('')}`,
    );
    return choice;
  },
};
