// The evaluation thread: one per evaluation (TensorFlow.js runs on the thread that calls it), so
// the service's event loop keeps answering health checks, HTTP and Kafka heartbeats meanwhile.
import { hostWorkerTask } from '@newsroom/platform/worker-task';
import { Evaluation, EvaluationJob, EvaluationProgress, runEvaluationJob } from './evaluation-job';

hostWorkerTask<EvaluationJob, EvaluationProgress, Evaluation>(runEvaluationJob);
