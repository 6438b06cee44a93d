import type { Champion } from '@newsroom/platform';
import { Candidate, Evaluation } from './evaluation-job';

/**
 * Errors of the inputs themselves (a file missing, corrupt or malformed), not of the moment; told
 * by name and code, as they cross from the evaluation thread.
 */
const unusableInputErrors = new Set(['ArtifactIntegrityError', 'ModelFormatError', 'DatasetFormatError']);
export const unusable = (error: unknown) =>
  unusableInputErrors.has((error as Error).name) || (error as NodeJS.ErrnoException).code === 'ENOENT';

type Evaluate = (candidate: Candidate, champion: Champion | undefined) => Promise<Evaluation>;

/**
 * Judges a candidate against the champion. Inputs that cannot be read are not retried (retrying
 * cannot repair a missing or corrupt file): when the candidate alone can be judged, the champion
 * was the unreadable one (its weights lost from the artifact store, say) and the candidate is
 * judged against the baselines, saying so — else a lost champion would block every later model;
 * otherwise the candidate fails, saying why. Other errors (an outage) are thrown, to be retried.
 */
export async function judgeCandidate(
  evaluate: Evaluate,
  candidate: Candidate,
  champion: Champion | undefined,
): Promise<Evaluation> {
  try {
    return await evaluate(candidate, champion);
  } catch (error) {
    if (!unusable(error)) throw error;
    const why = (error as Error).message;
    if (champion && champion.modelVersion !== candidate.modelVersion) {
      try {
        const alone = await evaluate(candidate, undefined);
        return {
          ...alone,
          // Judged while it was the champion: the registry promotes only against the champion it has.
          championVersion: champion.modelVersion,
          reasons: [
            `WARN: the champion ${champion.modelVersion} could not be read (${why}): judged against the baselines alone`,
            ...alone.reasons,
          ],
        };
      } catch (again) {
        if (!unusable(again)) throw again;
      }
    }
    return {
      modelVersion: candidate.modelVersion,
      championVersion: champion?.modelVersion ?? null,
      datasetId: candidate.datasetId,
      passed: false,
      reasons: [`FAIL: cannot evaluate: ${why}`],
    };
  }
}
