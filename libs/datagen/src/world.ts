import { Article } from '@newsroom/contracts';
import { Region, regions } from './regions';
import { behaviour, expectedDwellFor, topicMatch } from './behaviour';
import { WorldConfig, validateWorldConfig } from './config';
import { Rng, cumulative } from './random';
import { Vocabulary, buildVocabulary } from './vocabulary';

export const DAY_MS = 86_400_000;
export const languages = ['en', 'es', 'pt', 'fr'] as const;
export type Language = (typeof languages)[number];

/** UTC offsets (hours) of the places readers and publishers live in, per region. */
const utcOffsets: Record<Region, number[]> = {
  'latin-america': [-6, -5, -5, -3, -3, -3],
  africa: [0, 1, 1, 2, 3, 3],
  'north-america': [-8, -7, -6, -5, -5, -5],
};
/** Language shares per region, in the order of `languages`. */
const readerLanguages: Record<Region, number[]> = {
  'latin-america': [0.25, 0.45, 0.3, 0],
  africa: [0.65, 0, 0.07, 0.28],
  'north-america': [0.88, 0.12, 0, 0],
};
const publisherLanguages: Record<Region, number[]> = {
  'latin-america': [0.2, 0.5, 0.3, 0],
  africa: [0.6, 0, 0.1, 0.3],
  'north-america': [0.9, 0.1, 0, 0],
};
/** Regional tastes: multipliers on the Dirichlet concentration of named topics. */
const regionalTaste: Record<Region, Record<string, number>> = {
  'latin-america': { sports: 2, politics: 1.3, entertainment: 1.3 },
  africa: { politics: 1.5, health: 1.5, world: 1.3, sports: 1.3 },
  'north-america': { technology: 1.5, business: 1.5, entertainment: 1.3 },
};
// prettier-ignore
const mastheads = ['Herald', 'Times', 'Post', 'Daily', 'Chronicle', 'Gazette', 'Observer', 'Tribune', 'Journal', 'Courier', 'Dispatch', 'Monitor', 'Ledger', 'Wire', 'Review'];

/** Local hour of day of publication: working hours, with a long evening tail. */
function publicationLocalHour(rng: Rng): number {
  const h = rng.chance(0.6) ? 10 + 2.5 * rng.normal() : 17 + 3 * rng.normal();
  return ((h % 24) + 24) % 24;
}

export interface Publisher {
  id: string;
  name: string;
  domain: string;
  region: Region;
  language: Language;
}

/** One run of articles published in a window: day d (or the warm-up before day 0, `day` = -1). */
interface ArticleBlock {
  day: number;
  /** Date label in ids: yyyymmdd, with a `w` suffix for the warm-up block. */
  label: string;
  startMs: number;
  endMs: number;
  first: number;
  count: number;
}

function yyyymmdd(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replace(/-/g, '');
}

/**
 * A synthetic news world, fully determined by its config: readers with latent interests,
 * publishers, and every article's attributes (their text is generated on demand). Interaction
 * streams come from `simulate` (./simulate.ts); ground truth from `expectedDwell`/`oracleRanking`.
 */
export class World {
  readonly config: WorldConfig;
  readonly startMs: number;
  readonly topics: readonly string[];
  readonly vocabulary: Vocabulary;
  readonly publishers: Publisher[];
  /** Region index (into `regions`) of each publisher. */
  readonly publisherRegion: Uint8Array;
  private readonly publisherLeaning: Float64Array[];
  /** Publisher and topic draws of a story's articles (see `driftCoverage`). */
  private readonly storyPublisherCum: Float64Array;
  private readonly storyTopicCum: Float64Array[];
  private readonly focusTopics: number[];
  /**
   * Topics known from day 0 (`config.topics`); a breaking topic comes after them in `topics`. Draws
   * over these keep a world with a breaking topic the same as without one until the story starts.
   */
  private readonly knownTopics: number;

  // Readers, as columns.
  readonly readerCount: number;
  readonly readerRegion: Uint8Array;
  readonly readerUtcOffset: Int8Array;
  readonly readerLanguage: Uint8Array;
  readonly readerActivity: Float32Array;
  readonly readerDepth: Float32Array;
  /** readerCount × K interests (each row sums to 1). */
  readonly interests: Float32Array;
  /** Interests from `interestDriftFromDay` on (same layout); null when there is no drift. */
  readonly driftedInterests: Float32Array | null;

  // Articles, as columns, in publication order.
  readonly articleCount: number;
  readonly publishedAt: Float64Array;
  readonly articleTopic: Uint8Array;
  readonly articleTopic2: Uint8Array;
  readonly articlePublisher: Uint16Array;
  readonly articleQuality: Float32Array;
  readonly articleTokens: Uint16Array;
  readonly articleRevised: Uint8Array;
  readonly blocks: ArticleBlock[];
  private readonly blockByLabel = new Map<string, ArticleBlock>();

  constructor(config: WorldConfig) {
    validateWorldConfig(config);
    this.config = config;
    this.startMs = Date.parse(config.start);
    this.topics = config.breakingTopic === null ? config.topics : [...config.topics, config.breakingTopic];
    const K = this.topics.length;
    const known = config.topics.length;
    this.knownTopics = known;
    const seed = config.seed;
    this.vocabulary = buildVocabulary(
      seed,
      config.topics,
      config.vocabularyPerTopic,
      this.topics.slice(config.topics.length),
    );

    // Publishers: a region, a language, a volume and topic leanings each.
    const regionCum = cumulative(regions.map((r) => config.regionShares[r]));
    this.publishers = [];
    const publisherVolume: number[] = [];
    this.publisherLeaning = [];
    const usedIds = new Set<string>();
    for (let p = 0; p < config.publishers; p++) {
      const rng = new Rng(seed, 'publisher', p);
      const region = regions[rng.cumulativeIndex(regionCum)];
      const language = languages[rng.weightedIndex(publisherLanguages[region])];
      const word = capitalise(pseudoName(rng));
      const masthead = rng.pick(mastheads);
      let id = `${word}-${masthead}`.toLowerCase();
      if (usedIds.has(id)) id = `${id}-${p}`;
      usedIds.add(id);
      this.publishers.push({
        id,
        name: `The ${word} ${masthead}`,
        domain: `${id}.example`,
        region,
        language,
      });
      publisherVolume.push(rng.lognormalWithMean(1, 1));
      // A few favourite topics (sparse Dirichlet), plus a small share of everything.
      const leaning = rng
        .dirichlet(Array.from({ length: known }, () => 0.25))
        .map((x) => 0.95 * x + 0.05 / known);
      // Nobody leans to a breaking topic: it did not exist.
      this.publisherLeaning.push(cumulative([...leaning, ...Array<number>(K - known).fill(0)]));
    }
    const publisherCum = cumulative(publisherVolume);
    // While the story runs, its coverage comes from the publishers leaning to its topics, by volume.
    // A breaking topic is the whole story, covered by every publisher by volume.
    const breaking = config.breakingTopic !== null;
    const focusTopics =
      config.interestDriftFromDay === null
        ? []
        : breaking
          ? [known]
          : config.driftTopics.map((t) => this.topics.indexOf(t));
    const leaningTo = (p: number, k: number) =>
      this.publisherLeaning[p][k] - (k > 0 ? this.publisherLeaning[p][k - 1] : 0);
    this.storyPublisherCum = breaking
      ? publisherCum
      : cumulative(
          publisherVolume.map((v, p) => v * focusTopics.reduce((sum, k) => sum + leaningTo(p, k), 0)),
        );
    this.storyTopicCum = this.publisherLeaning.map((_, p) =>
      cumulative(focusTopics.map((k) => (breaking ? 1 : leaningTo(p, k)))),
    );
    this.focusTopics = focusTopics;
    this.publisherRegion = Uint8Array.from(this.publishers, (p) => regions.indexOf(p.region));

    // Readers.
    const n = config.readers;
    this.readerCount = n;
    this.readerRegion = new Uint8Array(n);
    this.readerUtcOffset = new Int8Array(n);
    this.readerLanguage = new Uint8Array(n);
    this.readerActivity = new Float32Array(n);
    this.readerDepth = new Float32Array(n);
    this.interests = new Float32Array(n * K);
    const alphas = regions.map((region) =>
      config.topics.map((topic) => behaviour.interestAlpha * (regionalTaste[region][topic] ?? 1)),
    );
    for (let u = 0; u < n; u++) {
      // Each reader from their own stream: reader u is the same person in every preset.
      const rng = new Rng(seed, 'reader', u);
      const r = rng.cumulativeIndex(regionCum);
      const region = regions[r];
      this.readerRegion[u] = r;
      this.readerUtcOffset[u] = rng.pick(utcOffsets[region]);
      this.readerLanguage[u] = rng.weightedIndex(readerLanguages[region]);
      this.readerActivity[u] = rng.lognormalWithMean(1, behaviour.activitySigma);
      this.readerDepth[u] = rng.lognormalWithMean(1, behaviour.depthSigma);
      // A draw once used for a reader's own drift, kept so that every reader keeps their interests.
      rng.int(known - 1);
      const interests = rng.dirichlet(alphas[r]);
      // No one is interested in a breaking topic before the story (its column stays 0).
      for (let k = 0; k < known; k++) this.interests[u * K + k] = interests[k];
    }
    if (config.interestDriftFromDay !== null) {
      const focus = this.focusTopics;
      // Drift: a story takes over, and every reader's interests move towards its topics.
      const s = config.driftStrength;
      const drifted = new Float32Array(n * K);
      for (let u = 0; u < n; u++) {
        for (let k = 0; k < K; k++) {
          drifted[u * K + k] =
            (1 - s) * this.interests[u * K + k] + (focus.includes(k) ? s / focus.length : 0);
        }
      }
      this.driftedInterests = drifted;
    } else {
      this.driftedInterests = null;
    }

    // Articles: a warm-up block before day 0, then one block per day.
    this.blocks = [];
    let total = 0;
    const warmupCount = Math.round((config.articlesPerDay * config.warmupHours) / 24);
    const blockSpecs: Omit<ArticleBlock, 'first'>[] = [];
    if (warmupCount > 0) {
      const startMs = this.startMs - config.warmupHours * 3_600_000;
      blockSpecs.push({
        day: -1,
        label: `${yyyymmdd(this.startMs - DAY_MS)}w`,
        startMs,
        endMs: this.startMs,
        count: warmupCount,
      });
    }
    for (let d = 0; d < config.days; d++) {
      const startMs = this.startMs + d * DAY_MS;
      blockSpecs.push({
        day: d,
        label: yyyymmdd(startMs),
        startMs,
        endMs: startMs + DAY_MS,
        // A volume drop day is quiet for publishers too.
        count:
          config.volumeDropOnDay === d
            ? Math.max(1, Math.round(config.articlesPerDay * config.volumeDropFactor))
            : config.articlesPerDay,
      });
    }
    for (const spec of blockSpecs) {
      const block = { ...spec, first: total };
      this.blocks.push(block);
      this.blockByLabel.set(block.label, block);
      total += spec.count;
    }
    this.articleCount = total;
    this.publishedAt = new Float64Array(total);
    this.articleTopic = new Uint8Array(total);
    this.articleTopic2 = new Uint8Array(total);
    this.articlePublisher = new Uint16Array(total);
    this.articleQuality = new Float32Array(total);
    this.articleTokens = new Uint16Array(total);
    this.articleRevised = new Uint8Array(total);
    for (const block of this.blocks) this.generateBlock(block, publisherCum);
  }

  private generateBlock(block: ArticleBlock, publisherCum: Float64Array): void {
    const rng = new Rng(this.config.seed, 'articles', block.label);
    const { count } = block;
    const span = block.endMs - block.startMs;
    const publisher = new Uint16Array(count);
    const story = new Uint8Array(count);
    const time = new Float64Array(count);
    const drifting =
      this.config.interestDriftFromDay !== null && block.day >= this.config.interestDriftFromDay;
    for (let j = 0; j < count; j++) {
      story[j] = drifting && rng.chance(this.config.driftCoverage) ? 1 : 0;
      const p = rng.cumulativeIndex(story[j] ? this.storyPublisherCum : publisherCum);
      publisher[j] = p;
      if (block.day < 0) {
        time[j] = block.startMs + Math.floor(rng.next() * span);
      } else {
        const offset = utcOffsets[this.publishers[p].region];
        const utcHour = (((publicationLocalHour(rng) - rng.pick(offset)) % 24) + 24) % 24;
        time[j] = block.startMs + Math.floor(utcHour * 3_600_000);
      }
    }
    // Publication order: ids within a block follow publishedAt.
    const order = Array.from({ length: count }, (_, j) => j).sort((a, b) => time[a] - time[b] || a - b);
    for (let j = 0; j < count; j++) {
      const i = block.first + j;
      const p = publisher[order[j]];
      this.publishedAt[i] = time[order[j]];
      this.articlePublisher[i] = p;
      this.articleTopic[i] = story[order[j]]
        ? this.focusTopics[rng.cumulativeIndex(this.storyTopicCum[p])]
        : rng.cumulativeIndex(this.publisherLeaning[p]);
      this.articleTopic2[i] = rng.chance(0.6) ? rng.int(this.knownTopics) : this.articleTopic[i];
      this.articleQuality[i] = rng.lognormalWithMean(1, behaviour.qualitySigma);
      this.articleTokens[i] = rng.intBetween(60, 240);
      this.articleRevised[i] = rng.chance(this.config.revisionShare) ? 1 : 0;
    }
  }

  // ---- identifiers -------------------------------------------------------------------------

  readerId(u: number): string {
    return `u-${String(u).padStart(6, '0')}`;
  }

  /** Reader index of an id, or -1 when it is not a reader of this world. */
  readerIndex(readerId: string): number {
    const match = /^u-(\d{6})$/.exec(readerId);
    if (!match) return -1;
    const u = Number(match[1]);
    return u < this.readerCount ? u : -1;
  }

  articleId(i: number): string {
    const block = this.blockOf(i);
    return `a-s${this.config.seed}-${block.label}-${String(i - block.first).padStart(6, '0')}`;
  }

  /** Article index of an id, or -1 when it is not an article of this world. */
  articleIndex(articleId: string): number {
    const match = /^a-s(\d+)-(\d{8}w?)-(\d{6})$/.exec(articleId);
    if (!match || Number(match[1]) !== this.config.seed) return -1;
    const block = this.blockByLabel.get(match[2]);
    const j = Number(match[3]);
    return block && j < block.count ? block.first + j : -1;
  }

  blockOf(i: number): ArticleBlock {
    let lo = 0;
    let hi = this.blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.blocks[mid].first <= i) lo = mid;
      else hi = mid - 1;
    }
    return this.blocks[lo];
  }

  /** Article indices published during day `day` (the warm-up block belongs to day 0). */
  articleRange(day: number): { first: number; end: number } {
    const blocks = this.blocks.filter((b) => b.day === day || (day === 0 && b.day === -1));
    return { first: blocks[0].first, end: blocks[blocks.length - 1].first + blocks[blocks.length - 1].count };
  }

  // ---- ground truth ------------------------------------------------------------------------

  /** Interests in effect for a reader on a day (after drift when the day is past the drift day). */
  interestsOn(day: number): Float32Array {
    const from = this.config.interestDriftFromDay;
    return this.driftedInterests && from !== null && day >= from ? this.driftedInterests : this.interests;
  }

  /** Match (0..1) of reader u with article i on a day: their interest in its topics. */
  match(u: number, i: number, day: number): number {
    return topicMatch(
      this.interestsOn(day),
      u * this.topics.length,
      this.articleTopic[i],
      this.articleTopic2[i],
    );
  }

  expectedDwellByIndex(u: number, i: number, day: number): number {
    const sameRegion = this.publisherRegionIndex(i) === this.readerRegion[u];
    return expectedDwellFor(
      this.match(u, i, day),
      this.articleQuality[i],
      this.articleTokens[i],
      this.readerDepth[u],
      sameRegion,
    );
  }

  /**
   * The reader's true expected reading time (seconds) for an article shown at the top of a slate,
   * for any article of the world whether or not it was ever shown. `day` picks the interests in
   * effect (they change from the drift day on); it defaults to the last simulated day.
   */
  expectedDwell(readerId: string, articleId: string, day = this.config.days - 1): number {
    const u = this.readerIndex(readerId);
    if (u < 0) throw new RangeError(`unknown reader ${readerId}`);
    const i = this.articleIndex(articleId);
    if (i < 0) throw new RangeError(`unknown article ${articleId}`);
    return this.expectedDwellByIndex(u, i, day);
  }

  /** The oracle ranking: candidates ordered by true expected dwell, best first (ties by id). */
  oracleRanking(
    readerId: string,
    candidateArticleIds: readonly string[],
    day = this.config.days - 1,
  ): string[] {
    return candidateArticleIds
      .map((id) => ({ id, score: this.expectedDwell(readerId, id, day) }))
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((x) => x.id);
  }

  publisherRegionIndex(i: number): number {
    return this.publisherRegion[this.articlePublisher[i]];
  }

  // ---- articles ----------------------------------------------------------------------------

  /** The article event of index i (its text generated from its own seed), or its revision. */
  article(i: number, revision = false): Article {
    const articleId = this.articleId(i);
    const rng = new Rng(this.config.seed, 'text', articleId);
    const topic = this.articleTopic[i];
    const topic2 = this.articleTopic2[i];
    const vocab = this.vocabulary;
    const word = (topicShare: number): string => {
      const r = rng.next();
      if (r < topicShare) {
        const t = rng.next() < behaviour.primaryTopicWeight ? topic : topic2;
        const v = vocab.topics[t];
        return v.words[rng.cumulativeIndex(v.cumulative)];
      }
      if (r < topicShare + 0.05) {
        // A stray word is from a known topic: a breaking topic's words appear only in its articles.
        const v = vocab.topics[rng.int(this.knownTopics)];
        return v.words[rng.cumulativeIndex(v.cumulative)];
      }
      return vocab.filler[rng.cumulativeIndex(vocab.fillerCumulative)];
    };
    const titleWords = Array.from({ length: rng.intBetween(6, 11) }, () => word(0.65));
    const sentences: string[] = [];
    let remaining = this.articleTokens[i];
    while (remaining > 0) {
      const length = Math.min(remaining, rng.intBetween(8, 18));
      remaining -= length;
      sentences.push(capitalise(Array.from({ length }, () => word(0.5)).join(' ')) + '.');
    }
    const topicWords = vocab.topics[topic].words;
    const tags = [this.topics[topic], topicWords[1 + rng.int(Math.min(20, topicWords.length - 1))]];
    if (topic2 !== topic) tags.push(this.topics[topic2]);
    const publisher = this.publishers[this.articlePublisher[i]];
    const publishedAt = new Date(this.publishedAt[i]).toISOString();
    const slug = titleWords.slice(0, 6).join('-');
    let title = capitalise(titleWords.join(' '));
    let body = sentences.join(' ');
    if (revision) {
      title = `Update: ${title}`;
      body = `${body} ${capitalise(Array.from({ length: 12 }, () => word(0.5)).join(' '))}.`;
    }
    return {
      eventId: `${articleId}-v${revision ? 1 : 0}`,
      articleId,
      title,
      body,
      category: this.topics[topic],
      publisher: publisher.id,
      url: `https://${publisher.domain}/${this.topics[topic]}/${publishedAt.slice(0, 10).replace(/-/g, '/')}/${slug}-${articleId}`,
      publishedAt,
      language: publisher.language,
      tags: [...new Set(tags)],
    };
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function pseudoName(rng: Rng): string {
  const consonants = 'bcdfgklmnprstvz';
  const vowels = 'aeiou';
  let name = '';
  const syllables = rng.intBetween(2, 3);
  for (let s = 0; s < syllables; s++)
    name += consonants[rng.int(consonants.length)] + vowels[rng.int(vowels.length)];
  return name + (rng.chance(0.5) ? consonants[rng.int(consonants.length)] : '');
}
