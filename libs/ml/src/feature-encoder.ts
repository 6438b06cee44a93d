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
      // One bag of tokens over the latest reads: each read weighs log(1 + dwell) (longer reads
      // count more, with diminishing returns), shared among its tokens; the heaviest k tokens
      // are kept and their weights sum to 1. A bag, not read by read: far fewer rows to embed.
      const bag = new Map<number, number>();
      for (const read of profile.recent.slice(0, this.config.historyReads)) {
        if (!read.article) continue;
        const hashes = read.article.tokenHashes.slice(0, this.config.articleTokens);
        const weight = Math.log1p(read.dwellSeconds) / hashes.length;
        for (const hash of hashes) bag.set(hash, (bag.get(hash) ?? 0) + weight);
      }
      const top = [...bag].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, k);
      const total = top.reduce((sum, [, w]) => sum + w, 0);
      top.forEach(([hash, weight], slot) => {
        inputs.tokens[i * k + slot] = hash;
        inputs.tokenWeights[i * k + slot] = weight / total;
      });
      for (const [category, share] of Object.entries(profile.categoryMix)) {
        inputs.categoryMix[i * this.categorySlots + this.category(category)] += share;
      }
    });
    return inputs;
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
