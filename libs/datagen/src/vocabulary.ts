import { Rng, cumulative } from './random';

/** The default news categories, in a fixed order (a topic's index is its position here). */
export const defaultTopics = [
  'politics',
  'sports',
  'business',
  'technology',
  'climate',
  'health',
  'science',
  'culture',
  'world',
  'entertainment',
  'travel',
  'food',
] as const;

/** Whether a word is one of the real words the default topics' text is made of. */
export const isSeedWord = (word: string): boolean =>
  fillerWords.includes(word) || Object.values(seedWords).some((words) => words.includes(word));

/** A few real words per default topic, so generated text reads as belonging to its topic. */
// prettier-ignore
const seedWords: Record<string, string[]> = {
  politics: ['election', 'senate', 'minister', 'parliament', 'vote', 'campaign', 'policy', 'party', 'president', 'reform', 'congress', 'governor', 'ballot', 'coalition', 'cabinet'],
  sports: ['match', 'league', 'goal', 'coach', 'season', 'championship', 'striker', 'tournament', 'stadium', 'transfer', 'final', 'athlete', 'derby', 'injury', 'playoff'],
  business: ['market', 'shares', 'earnings', 'investor', 'merger', 'startup', 'revenue', 'inflation', 'bank', 'profit', 'exports', 'retail', 'dividend', 'supply', 'quarter'],
  technology: ['software', 'chip', 'startup', 'cloud', 'smartphone', 'algorithm', 'network', 'robot', 'data', 'privacy', 'browser', 'satellite', 'battery', 'platform', 'code'],
  climate: ['emissions', 'drought', 'carbon', 'flood', 'warming', 'glacier', 'renewable', 'wildfire', 'rainfall', 'heatwave', 'forest', 'solar', 'coastline', 'methane', 'biodiversity'],
  health: ['hospital', 'vaccine', 'patients', 'doctor', 'clinic', 'disease', 'nutrition', 'outbreak', 'therapy', 'nurses', 'diabetes', 'malaria', 'surgery', 'wellbeing', 'pharmacy'],
  science: ['researchers', 'study', 'telescope', 'genome', 'physics', 'laboratory', 'fossil', 'experiment', 'species', 'quantum', 'orbit', 'molecule', 'dataset', 'theory', 'microscope'],
  culture: ['museum', 'novel', 'artist', 'exhibition', 'poetry', 'heritage', 'theatre', 'gallery', 'festival', 'author', 'painting', 'tradition', 'library', 'dance', 'sculpture'],
  world: ['embassy', 'border', 'summit', 'treaty', 'refugees', 'sanctions', 'diplomat', 'ceasefire', 'alliance', 'envoy', 'conflict', 'migration', 'ambassador', 'talks', 'region'],
  entertainment: ['film', 'series', 'celebrity', 'album', 'premiere', 'streaming', 'actor', 'concert', 'director', 'trailer', 'soundtrack', 'awards', 'singer', 'sequel', 'boxoffice'],
  travel: ['airline', 'destination', 'hotel', 'beach', 'passport', 'itinerary', 'tourism', 'cruise', 'resort', 'backpacking', 'visa', 'flight', 'landmark', 'hostel', 'island'],
  food: ['recipe', 'restaurant', 'chef', 'harvest', 'cuisine', 'bakery', 'coffee', 'spices', 'market', 'vegetarian', 'dessert', 'farmers', 'kitchen', 'street', 'flavour'],
};

/** Words every article uses, whatever its topic. */
// prettier-ignore
export const fillerWords = [
  'the', 'a', 'of', 'and', 'to', 'in', 'on', 'for', 'with', 'as', 'at', 'by', 'from', 'after', 'over',
  'new', 'this', 'that', 'is', 'are', 'was', 'were', 'has', 'have', 'will', 'could', 'more', 'most',
  'says', 'said', 'report', 'week', 'year', 'day', 'people', 'first', 'last', 'local', 'national', 'how',
  'why', 'what', 'when', 'its', 'their', 'into', 'amid', 'about', 'against', 'under', 'while', 'big',
  'latest', 'update', 'plan', 'again', 'still', 'just', 'now', 'other', 'some', 'many', 'few', 'two',
  'three', 'officials', 'country', 'city', 'today', 'early', 'late', 'major', 'key', 'top', 'record',
];

// prettier-ignore
const onsets = ['b', 'c', 'd', 'f', 'g', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z', 'br', 'tr', 'st', 'pl', 'gr', 'ch', 'sh', 'qu', 'dr', 'fl', 'kr', 'sl', 'th'];
// prettier-ignore
const nuclei = ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'io', 'ou', 'ua'];
// prettier-ignore
const codas = ['', '', '', 'n', 'r', 's', 'l', 'x', 'm', 'nd', 'rt', 'st', 'th'];

function pseudoWord(rng: Rng): string {
  const syllables = rng.intBetween(2, 3);
  let word = '';
  for (let s = 0; s < syllables; s++) word += rng.pick(onsets) + rng.pick(nuclei);
  return word + rng.pick(codas);
}

/** A topic's tokens with Zipf-like frequencies (its own real words first, so the most frequent). */
export interface TopicVocabulary {
  topic: string;
  words: string[];
  cumulative: Float64Array;
}

export interface Vocabulary {
  topics: TopicVocabulary[];
  filler: string[];
  fillerCumulative: Float64Array;
}

/**
 * Builds a vocabulary per topic: its real seed words plus generated pseudo-words up to `size`,
 * each word belonging to exactly one topic, drawn with Zipf(1) frequencies.
 */
/** A topic's words: `first` (its name, then its real words), filled up with pseudo-words not `taken`. */
function topicVocabulary(seed: number, first: string[], size: number, taken: Set<string>): TopicVocabulary {
  const topic = first[0];
  const rng = new Rng(seed, 'vocabulary', topic);
  const words = [...first];
  while (words.length < size) {
    const word = pseudoWord(rng);
    if (!taken.has(word)) {
      taken.add(word);
      words.push(word);
    }
  }
  return { topic, words, cumulative: cumulative(words.map((_, rank) => 1 / (rank + 2))) };
}

/**
 * `newTopics` (a breaking topic) come after `topics` with words of their own: the known topics'
 * vocabularies are the same as without them.
 */
export function buildVocabulary(
  seed: number,
  topics: readonly string[],
  size: number,
  newTopics: readonly string[] = [],
): Vocabulary {
  const taken = new Set<string>([...fillerWords, ...topics]);
  const result: TopicVocabulary[] = [];
  // Real words first for every topic, so a word shared by two topics' lists goes to the first.
  const real = topics.map((topic) =>
    (seedWords[topic] ?? []).filter((w) => (taken.has(w) ? false : (taken.add(w), true))),
  );
  topics.forEach((topic, t) => result.push(topicVocabulary(seed, [topic, ...real[t]], size, taken)));
  for (const topic of newTopics) {
    if (taken.has(topic)) throw new RangeError(`"${topic}" is already a word of the world`);
    taken.add(topic);
    result.push(topicVocabulary(seed, [topic], size, taken));
  }
  return {
    topics: result,
    filler: fillerWords,
    fillerCumulative: cumulative(fillerWords.map((_, rank) => 1 / (rank + 3))),
  };
}
