import { ArtifactRef, ArtifactStore } from '@newsroom/artifacts';
import { featureSchema } from '@newsroom/contracts';
import { ArticleContent, FeatureEncoder } from '../feature-encoder';
import { saveModel } from '../model-artifact';
import { TwoTowerModel } from '../two-tower';

/**
 * A two-tower model with seeded random weights over these articles' categories and publishers, in
 * the small shape the services' tests use: for tests where what it ranks does not matter, only
 * that it ranks (and, with the model kept, that what a service computed matches it).
 */
export function untrainedTwoTower(
  articles: readonly ArticleContent[],
  seed: number,
): { model: TwoTowerModel; encoder: FeatureEncoder } {
  const shape = { articleTokens: 24, historyReads: 10, readerTokens: 64 };
  const encoder = FeatureEncoder.fromArticles(articles, shape);
  const model = TwoTowerModel.create(
    {
      tokenBuckets: featureSchema.tokenBuckets,
      categorySlots: encoder.categorySlots,
      publisherSlots: encoder.publisherSlots,
      articleTokens: shape.articleTokens,
      readerTokens: shape.readerTokens,
      dimensions: 16,
    },
    seed,
  );
  return { model, encoder };
}

/** An untrained two-tower model written to the artifact store in `artifactDir` (and disposed). */
export async function savedUntrainedTwoTower(
  artifactDir: string,
  articles: readonly ArticleContent[],
  seed: number,
): Promise<ArtifactRef> {
  const { model, encoder } = untrainedTwoTower(articles, seed);
  try {
    return await saveModel(new ArtifactStore(artifactDir), model, encoder);
  } finally {
    model.dispose();
  }
}
