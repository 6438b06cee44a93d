// The training thread: one per run (TensorFlow.js runs on the thread that calls it), so the
// service's event loop keeps answering health checks, HTTP and Kafka heartbeats during a run.
import { hostWorkerTask } from '@newsroom/platform/worker-task';
import { TrainingJob, TrainingProgress, TrainingResult, runTrainingJob } from './training-job';

hostWorkerTask<TrainingJob, TrainingProgress, TrainingResult>(runTrainingJob);
