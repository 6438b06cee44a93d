import { FeatureGroup, readerFeatureGroups } from '@newsroom/contracts';

/** What each feature group is, in words, for the card's readers. */
export const featureGroupLabels: Record<FeatureGroup, string> = {
  'reader.recentWords': "the words of the reader's recent reads (dwell-weighted)",
  'reader.categoryMix': "the reader's category mix",
  'article.words': "the article's words (title first, then body)",
  'article.category': "the article's category",
  'article.publisher': "the article's publisher",
  'article.age': "the article's age when the list is ranked",
};

export const towerOf = (group: FeatureGroup): 'reader' | 'article' =>
  (readerFeatureGroups as readonly string[]).includes(group) ? 'reader' : 'article';
