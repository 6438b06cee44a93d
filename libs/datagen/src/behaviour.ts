/**
 * The parameters of the readers' true behaviour. The simulation draws from them and the ground
 * truth (`expectedDwell`) is computed from them, so both always agree; they are exported in the
 * truth file's header.
 */
export const behaviour = {
  /** An article's topic mix: this much of its primary topic, the rest its secondary topic. */
  primaryTopicWeight: 0.85,
  /** Dirichlet concentration of reader interests (below 1: sparse-ish, a few favourite topics). */
  interestAlpha: 0.3,
  /** Click logit = intercept + affinity·ln(match + floor) + quality·ln(q) − position·ln(1+pos) + sameRegion. */
  click: {
    intercept: 1.1,
    affinity: 0.9,
    affinityFloor: 0.03,
    quality: 0.35,
    position: 0.3,
    sameRegion: 0.3,
  },
  /** A click becomes a read (with dwell) with this probability; otherwise it bounces. */
  readGivenClick: 0.88,
  /** Mean dwell of a read = (base + perMatch·match) · (bodyTokens/referenceTokens)^lengthExponent · readerDepth. */
  dwell: { base: 12, perMatch: 240, referenceTokens: 120, lengthExponent: 0.3, sigma: 0.5, capSeconds: 1800 },
  /** Reader heterogeneity (lognormal sigmas, mean 1). */
  activitySigma: 0.9,
  depthSigma: 0.3,
  /** Article latent quality q (lognormal, mean 1): drives slate choice and, a little, clicks. */
  qualitySigma: 0.5,
  /** Slates: weight = q · exp(−age/recencyHours) · (1 + popularity·ln(1 + clicks so far)). */
  slate: { recencyHours: 8, windowHours: 36, popularity: 0.3 },
  /** Seconds between reads in a session (exponential mean) and spent on a bounced click. */
  thinkSeconds: 8,
  bounceSeconds: 4,
} as const;

export type Behaviour = typeof behaviour;

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Click probability for a reader/article match at a slate position (0 = top). */
export function clickProbability(
  match: number,
  quality: number,
  position: number,
  sameRegion: boolean,
): number {
  const c = behaviour.click;
  return sigmoid(
    c.intercept +
      c.affinity * Math.log(match + c.affinityFloor) +
      c.quality * Math.log(quality) -
      c.position * Math.log1p(position) +
      (sameRegion ? c.sameRegion : 0),
  );
}

/** Mean dwell seconds of a read, before the cap. */
export function meanReadDwell(match: number, bodyTokens: number, depth: number): number {
  const d = behaviour.dwell;
  return (d.base + d.perMatch * match) * Math.pow(bodyTokens / d.referenceTokens, d.lengthExponent) * depth;
}

/**
 * The true expected reading time (seconds) of a reader for an article shown at the top of a
 * slate: P(click) · P(read | click) · E[dwell | read]. Ranking by it is the oracle ranking.
 */
export function expectedDwellFor(
  match: number,
  quality: number,
  bodyTokens: number,
  depth: number,
  sameRegion: boolean,
): number {
  return (
    clickProbability(match, quality, 0, sameRegion) *
    behaviour.readGivenClick *
    Math.min(meanReadDwell(match, bodyTokens, depth), behaviour.dwell.capSeconds)
  );
}

/** How well an article matches a reader: their interest in its primary and secondary topics. */
export function topicMatch(
  interests: ArrayLike<number>,
  offset: number,
  primary: number,
  secondary: number,
): number {
  if (primary === secondary) return interests[offset + primary];
  const w = behaviour.primaryTopicWeight;
  return w * interests[offset + primary] + (1 - w) * interests[offset + secondary];
}
