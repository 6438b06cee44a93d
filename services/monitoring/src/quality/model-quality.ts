/** Online quality of one group of served lists, from what their readers read afterwards. */
export interface OnlineQuality {
  modelVersion: string | null;
  source: string;
  /** Null: every region together. */
  region: string | null;
  lists: number;
  /** Share of lists with at least one of their top 10 read within the horizon. */
  hitRateAt10: number;
  /** Mean over lists of 1 / the best rank read (0 when none). */
  mrr: number;
  /** Mean dwell seconds per list that its items captured. */
  dwellSecondsPerList: number;
  /** Distinct articles in the lists, over the articles published in the 48 h before the window's end. */
  coverage: number;
}

export interface ModelQualityReport {
  createdAt: string;
  /** Lists served in this window, each followed for the horizon. */
  window: { from: string; to: string };
  horizonHours: number;
  minLists: number;
  groups: OnlineQuality[];
  versions: {
    modelVersion: string;
    personalized: OnlineQuality | null;
    /** The fallback served over the same window: the control group. */
    fallback: OnlineQuality | null;
    /** Personalized hit rate over the fallback's (a lift above 1 is the model earning its keep). */
    liftOverFallback: number | null;
    /** What evaluation measured offline, and the online hit rate over its recall@10. */
    offline: Record<string, number> | null;
    onlineOverOfflineRecall: number | null;
    /** The version's first window with enough lists, and the relative change since. */
    baseline: {
      hitRateAt10: number;
      mrr: number;
      lists: number;
      window: { from: string; to: string };
    } | null;
    hitRateChange: number | null;
  }[];
}
