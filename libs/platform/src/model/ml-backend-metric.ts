import { Logger } from '@nestjs/common';
// Types only: a value import would load TensorFlow.js in every service's main thread.
import type { BackendChoice } from '@newsroom/ml';
import { gauge } from '@newsroom/observability';

const backendInfo = gauge('ml_backend_info', 'The TensorFlow.js backend in use (1)', ['backend']);
const told = new Set<string>();

/**
 * Reports the TensorFlow.js backend a thread of this process computes on (libs/ml's selectBackend
 * chooses it inside the thread), as `ml_backend_info{backend}`, and logs the choice with why faster
 * backends were passed over — once per process, however many threads and runs make the same one.
 */
export function reportBackendInUse(choice: BackendChoice): void {
  backendInfo.set({ backend: choice.name }, 1);
  const line = `backend: ${choice.name}${choice.skipped.map((s) => ` (not ${s.name}: ${s.reason})`).join('')}`;
  if (told.has(line)) return;
  told.add(line);
  new Logger('TensorFlow.js').log(line);
}
