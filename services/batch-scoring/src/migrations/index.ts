import { CreateScoring1732900000000 } from './1732900000000-create-scoring';
import { CreateArticleModeration1734600000000 } from './1734600000000-create-article-moderation';
import { AddListExplanations1734800000000 } from './1734800000000-add-list-explanations';
import { IndexListArticleIds1734900000000 } from './1734900000000-index-list-article-ids';

/** Migrations of the `scoring` schema, in order; the outbox and inbox tables come from libs/persistence. */
export const migrations = [
  CreateScoring1732900000000,
  CreateArticleModeration1734600000000,
  AddListExplanations1734800000000,
  IndexListArticleIds1734900000000,
];
