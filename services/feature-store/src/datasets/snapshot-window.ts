/** A snapshot's time window (epoch ms, end exclusive) and where its validation slice starts. */
export interface SnapshotWindow {
  start: number;
  end: number;
  validationFrom: number;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/**
 * The window a snapshot covers: explicit bounds, or the last `days` days up to `now` rounded down
 * to the minute (so triggers within a minute agree on the window). Validation is the latest
 * `validationHours` of it.
 */
export function snapshotWindow(
  request: { windowStart?: string; windowEnd?: string; validationHours?: number },
  config: { DATASET_WINDOW_DAYS: number; DATASET_VALIDATION_HOURS: number },
  now: number,
): SnapshotWindow {
  const defaults = { days: config.DATASET_WINDOW_DAYS, validationHours: config.DATASET_VALIDATION_HOURS };
  const end = request.windowEnd ? Date.parse(request.windowEnd) : Math.floor(now / MINUTE) * MINUTE;
  const start = request.windowStart ? Date.parse(request.windowStart) : end - defaults.days * DAY;
  const validationHours = request.validationHours ?? defaults.validationHours;
  if (!(start < end)) throw new RangeError('windowStart must be before windowEnd');
  const validationFrom = end - validationHours * HOUR;
  if (validationFrom <= start)
    throw new RangeError('validationHours must leave part of the window for training');
  return { start, end, validationFrom };
}
