/**
 * Turns features into the model's inputs. The same code encodes a dataset for training and the
 * features of `features.users` / `features.articles` for scoring, so both see identical inputs.
 */
export interface EncoderConfig {
  /** Token hashes per article fed to the model (title first). */
  articleTokens: number;
  /** The reader's latest reads the reader tower looks at. */
  historyReads: number;
  /** The reader's token bag keeps this many tokens, those with the most weight. */
  readerTokens: number;
  /** Index 0 stands for any category or publisher not in the list. */
  categories: string[];
  publishers: string[];
}

export interface ArticleContent {
  tokenHashes: readonly number[];
  category: string;
  publisher: string;
}

export interface ReaderProfile {
  /** Latest reads first: each article's content and the dwell spent on it. */
  recent: readonly { article: ArticleContent | undefined; dwellSeconds: number }[];
  categoryMix: Readonly<Record<string, number>>;
}

/** Inputs of a batch of articles: `articleTokens` token slots per article with their weights (0 = empty). */
export interface ArticleInputs {
  count: number;
  tokens: Int32Array;
  tokenWeights: Float32Array;
  category: Int32Array;
  publisher: Int32Array;
}

/** Inputs of a batch of readers: the tokens of their recent reads, dwell-weighted, and their category mix. */
export interface ReaderInputs {
  count: number;
  tokens: Int32Array;
  tokenWeights: Float32Array;
  /** `categories.length + 1` values per reader (index 0: categories the model does not know). */
  categoryMix: Float32Array;
}

export class FeatureEncoder {
  private readonly categoryIndex: Map<string, number>;
  private readonly publisherIndex: Map<string, number>;
  // Scratch of heaviestTokens, indexed by token hash.
  private bagWeight: Float64Array = new Float64Array(0);
  private bagSeen: Uint32Array = new Uint32Array(0);
  private bagStamp = 0;
  private bagHashes: Int32Array = new Int32Array(256);

  constructor(readonly config: EncoderConfig) {
    this.categoryIndex = new Map(config.categories.map((c, i) => [c, i + 1]));
    this.publisherIndex = new Map(config.publishers.map((p, i) => [p, i + 1]));
  }

  /** Vocabularies from the articles a model is trained on, sorted so the same data gives the same encoder. */
  static fromArticles(
    articles: readonly ArticleContent[],
    options: Omit<EncoderConfig, 'categories' | 'publishers'>,
  ): FeatureEncoder {
    return new FeatureEncoder({
      ...options,
      categories: [...new Set(articles.map((a) => a.category))].sort(),
      publishers: [...new Set(articles.map((a) => a.publisher))].sort(),
    });
  }

  get categorySlots(): number {
    return this.config.categories.length + 1;
  }

  get publisherSlots(): number {
    return this.config.publishers.length + 1;
  }

  category(name: string): number {
    return this.categoryIndex.get(name) ?? 0;
  }

  articles(items: readonly ArticleContent[]): ArticleInputs {
    const m = this.config.articleTokens;
    const inputs: ArticleInputs = {
      count: items.length,
      tokens: new Int32Array(items.length * m),
      tokenWeights: new Float32Array(items.length * m),
      category: new Int32Array(items.length),
      publisher: new Int32Array(items.length),
    };
    items.forEach((article, i) => {
      this.writeTokens(article, 1, inputs.tokens, inputs.tokenWeights, i * m);
      inputs.category[i] = this.category(article.category);
      inputs.publisher[i] = this.publisherIndex.get(article.publisher) ?? 0;
    });
    return inputs;
  }

  readers(profiles: readonly ReaderProfile[]): ReaderInputs {
    const k = this.config.readerTokens;
    const inputs: ReaderInputs = {
      count: profiles.length,
      tokens: new Int32Array(profiles.length * k),
      tokenWeights: new Float32Array(profiles.length * k),
      categoryMix: new Float32Array(profiles.length * this.categorySlots),
    };
    profiles.forEach((profile, i) => {
      const bag = this.heaviestTokens(profile, k);
      const kept = bag.length;
      let total = 0;
      for (let slot = 0; slot < kept; slot++) total += this.bagWeight[bag[slot]];
      for (let slot = 0; slot < kept; slot++) {
        inputs.tokens[i * k + slot] = bag[slot];
        // Reads of no dwell at all (a producer that does not measure it): the tokens weigh alike,
        // rather than 0/0.
        inputs.tokenWeights[i * k + slot] = total > 0 ? this.bagWeight[bag[slot]] / total : 1 / kept;
      }
      for (const [category, share] of Object.entries(profile.categoryMix)) {
        inputs.categoryMix[i * this.categorySlots + this.category(category)] += share;
      }
    });
    return inputs;
  }

  /**
   * One bag of tokens over the latest reads: each read weighs log(1 + dwell) (longer reads count
   * more, with diminishing returns), shared among its tokens. A bag, not read by read: far fewer
   * rows to embed. The bag's `k` heaviest hashes, heaviest first (ties: lowest hash); their weights
   * are in `bagWeight` until the next call. Dense scratch arrays and a selection of the k before
   * sorting them, rather than a Map sorted whole: training encodes a million readers per epoch, and
   * this was most of its time.
   */
  private heaviestTokens(profile: ReaderProfile, k: number): Int32Array {
    if (this.bagStamp === 0xffffffff) {
      this.bagSeen.fill(0);
      this.bagStamp = 0;
    }
    const stamp = ++this.bagStamp;
    let count = 0;
    const reads = Math.min(profile.recent.length, this.config.historyReads);
    for (let r = 0; r < reads; r++) {
      const read = profile.recent[r];
      if (!read.article) continue;
      const hashes = read.article.tokenHashes;
      const length = Math.min(hashes.length, this.config.articleTokens);
      const weight = Math.log1p(read.dwellSeconds) / length;
      for (let t = 0; t < length; t++) {
        const hash = hashes[t];
        if (hash >= this.bagWeight.length) this.growBag(hash + 1);
        if (this.bagSeen[hash] !== stamp) {
          this.bagSeen[hash] = stamp;
          this.bagWeight[hash] = 0;
          if (count === this.bagHashes.length) this.bagHashes = growInt32(this.bagHashes, count * 2);
          this.bagHashes[count++] = hash;
        }
        this.bagWeight[hash] += weight;
      }
    }
    const weights = this.bagWeight;
    const heavierFirst = (a: number, b: number) => weights[b] - weights[a] || a - b;
    const bag = this.bagHashes.subarray(0, count);
    if (count > k) selectFirst(bag, k, heavierFirst);
    return bag.subarray(0, Math.min(k, count)).sort(heavierFirst);
  }

  private growBag(size: number) {
    const weights = new Float64Array(Math.max(size, this.bagWeight.length * 2));
    weights.set(this.bagWeight);
    this.bagWeight = weights;
    const seen = new Uint32Array(weights.length);
    seen.set(this.bagSeen);
    this.bagSeen = seen;
  }

  private writeTokens(
    article: ArticleContent,
    weight: number,
    tokens: Int32Array,
    weights: Float32Array,
    at: number,
  ) {
    const hashes = article.tokenHashes.slice(0, this.config.articleTokens);
    hashes.forEach((hash, k) => {
      tokens[at + k] = hash;
      weights[at + k] = weight / hashes.length;
    });
  }
}

/**
 * A reader's profile from their online features (`features.users`), with the content of the
 * articles they read (from `features.articles`): what scoring sees, encoded as training saw it.
 */
export function readerProfileFromFeatures(
  user: {
    categoryMix: Record<string, number>;
    recentReads: { articleId: string; dwellSeconds: number; at: string }[];
  },
  articleContent: (articleId: string) => ArticleContent | undefined,
): ReaderProfile {
  return {
    recent: [...user.recentReads]
      .sort((a, b) => Date.parse(b.at) - Date.parse(a.at))
      .map((read) => ({ article: articleContent(read.articleId), dwellSeconds: read.dwellSeconds })),
    categoryMix: user.categoryMix,
  };
}

function growInt32(array: Int32Array, size: number): Int32Array {
  const grown = new Int32Array(size);
  grown.set(array);
  return grown;
}

/**
 * Moves the `k` first items of `items` in `order` to its first `k` places, in no particular order
 * (quickselect with Hoare's partition; the items must be distinct under `order`).
 */
function selectFirst(items: Int32Array, k: number, order: (a: number, b: number) => number): void {
  const nth = k - 1;
  let lo = 0;
  let hi = items.length - 1;
  while (lo < hi) {
    const pivot = items[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (order(items[i], pivot) < 0) i++;
      while (order(pivot, items[j]) < 0) j--;
      if (i <= j) {
        const swap = items[i];
        items[i++] = items[j];
        items[j--] = swap;
      }
    }
    if (nth <= j) hi = j;
    else if (nth >= i) lo = i;
    else return;
  }
}
