import { z } from 'zod';
import { derivedEventId, eventEnvelope } from './envelope';
import { topicExamples } from './examples';
import { Interaction, acceptArticle, acceptInteraction } from './external';
import { TopicId, allTopics, deadLetterTopicName, topics } from './topics';
import { ContractViolationError, fieldErrors, parseMessage } from './validation';

type Json = Record<string, unknown>;

/** Paths of the required fields of an object schema, recursing into nested required objects. */
function requiredPaths(schema: z.ZodType, example: unknown, prefix: string[] = []): string[][] {
  if (!(schema instanceof z.ZodObject) || typeof example !== 'object' || example === null) return [];
  return Object.entries(schema.shape as Record<string, z.ZodType>).flatMap(([field, fieldSchema]) => {
    if (fieldSchema.safeParse(undefined).success) return [];
    const path = [...prefix, field];
    return [path, ...requiredPaths(fieldSchema, (example as Json)[field], path)];
  });
}

function withField(
  value: unknown,
  path: string[],
  replace: (old: unknown) => unknown | typeof REMOVE,
): unknown {
  const copy = structuredClone(value) as Json;
  let node = copy;
  for (const step of path.slice(0, -1)) node = node[step] as Json;
  const last = path[path.length - 1];
  const next = replace(node[last]);
  if (next === REMOVE) delete node[last];
  else node[last] = next;
  return copy;
}
const REMOVE = Symbol('remove');
const wrongType = (old: unknown) => (typeof old === 'string' || old === null ? 12345 : 'not-the-right-type');

const topicIds = Object.keys(topics) as TopicId[];

describe.each(topicIds)('topic %s', (id) => {
  const topic = topics[id];
  const example = topicExamples[id];

  it('accepts its example key and value', () => {
    expect(topic.key.safeParse(example.key).success).toBe(true);
    const result = topic.value.safeParse(example.value);
    expect(result.error ? fieldErrors(result.error) : []).toEqual([]);
  });

  it('rejects an empty key', () => {
    expect(topic.key.safeParse('').success).toBe(false);
  });

  const paths = requiredPaths(topic.value, example.value);
  it('has required fields to check', () => expect(paths.length).toBeGreaterThan(2));

  it.each(paths.map((p) => [p.join('.')]))('rejects a missing or mistyped %s, naming it', (dotted) => {
    const path = dotted.split('.');
    for (const broken of [
      withField(example.value, path, () => REMOVE),
      withField(example.value, path, wrongType),
    ]) {
      const result = topic.value.safeParse(broken);
      expect(result.success).toBe(false);
      expect(fieldErrors(result.error!).map((e) => e.field)).toContain(dotted);
    }
  });
});

describe('topic catalogue', () => {
  it('names every topic once, and enveloped events carry their own topic as type', () => {
    const names = allTopics.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const id of topicIds) {
      const value = topicExamples[id].value as Json;
      if (!topics[id].name.endsWith('.raw')) expect(value['type']).toBe(topics[id].name);
    }
  });

  it('accepts unknown fields in internal events (rolling upgrades) but not in the external contract', () => {
    const flagged = topicExamples.articlesFlagged.value;
    expect(
      topics.articlesFlagged.value.safeParse({ ...flagged, payload: { ...flagged.payload, severity: 3 } })
        .success,
    ).toBe(true);
    expect(
      topics.articlesRaw.value.safeParse({ ...topicExamples.articlesRaw.value, colour: 'red' }).success,
    ).toBe(false);
  });

  it('keeps attributions of a feature group it does not know (a newer producer added it)', () => {
    const generated = topicExamples.recommendationsGenerated.value;
    const [first, ...rest] = generated.payload.items;
    const items = [{ ...first, attributions: { 'article.words': 0.1, 'reader.timeOfDay': 0.02 } }, ...rest];
    const parsed = topics.recommendationsGenerated.value.parse({
      ...generated,
      payload: { ...generated.payload, items },
    });
    expect(parsed.payload.items[0].attributions).toEqual({ 'article.words': 0.1, 'reader.timeOfDay': 0.02 });
  });

  it('derives dead-letter topic names', () => {
    expect(deadLetterTopicName('interactions.raw')).toBe('interactions.raw.dlq');
  });
});

describe('external contract', () => {
  const read = topicExamples.interactionsRaw.value;

  it('requires dwellSeconds for reads only', () => {
    const { dwellSeconds: _omit, ...withoutDwell } = read as Json;
    expect(fieldErrors(Interaction.safeParse(withoutDwell).error!)).toEqual([
      { field: 'dwellSeconds', message: 'required when type is "read"' },
    ]);
    expect(Interaction.safeParse({ ...withoutDwell, type: 'click' }).success).toBe(true);
  });

  it('rejects negative dwell, unknown types and unknown fields by name', () => {
    const errors = fieldErrors(
      Interaction.safeParse({ ...read, dwellSeconds: -1, type: 'like', colour: 'red' }).error!,
    );
    expect(errors.map((e) => e.field).sort()).toEqual(['colour', 'dwellSeconds', 'type']);
  });
});

describe('accepting records liberally', () => {
  const read = topicExamples.interactionsRaw.value as Json;

  it('accepts a valid record as it is, without warnings', () => {
    expect(acceptInteraction(read)).toEqual({ accepted: true, value: read, warnings: [] });
  });

  it('keeps a record whose optional attribute is invalid, without it, and says so', () => {
    const result = acceptInteraction({ ...read, region: 42 });
    const { region: _dropped, ...withoutRegion } = read;
    expect(result).toEqual({
      accepted: true,
      value: withoutRegion,
      warnings: [{ field: 'region', reason: 'invalid', message: expect.stringContaining('(dropped)') }],
    });
  });

  it('keeps a region the contract does not know as reported: regions are configuration', () => {
    expect(acceptInteraction({ ...read, region: 'latam' })).toMatchObject({
      accepted: true,
      value: { region: 'latam' },
      warnings: [],
    });
  });

  it('ignores unknown fields with a warning each, and takes null optional attributes as absent', () => {
    const result = acceptArticle({ ...topicExamples.articlesRaw.value, language: null, section: 'metro' });
    expect(result).toMatchObject({
      accepted: true,
      warnings: [{ field: 'section', reason: 'unknown-field' }],
    });
    expect(result.accepted && 'language' in result.value).toBe(false);
    expect(result.accepted && 'section' in result.value).toBe(false);
  });

  it('refuses the NUL character PostgreSQL cannot store: the record for an id, the attribute otherwise', () => {
    expect(acceptInteraction({ ...read, userId: 'u\u0000' })).toMatchObject({
      accepted: false,
      errors: [{ field: 'userId', message: expect.stringContaining('NUL') }],
    });
    const result = acceptInteraction({ ...read, sessionId: 's\u0000' });
    expect(result).toMatchObject({ accepted: true, warnings: [{ field: 'sessionId', reason: 'invalid' }] });
    expect(result.accepted && 'sessionId' in result.value).toBe(false);
  });

  it('refuses a time-zone offset no zone has (PostgreSQL would refuse to store it)', () => {
    expect(acceptInteraction({ ...read, occurredAt: '2026-12-04T01:38:32-20:15' })).toMatchObject({
      accepted: false,
      errors: [{ field: 'occurredAt', message: 'time-zone offset beyond ±14:00' }],
    });
    expect(acceptInteraction({ ...read, occurredAt: '2026-12-04T01:38:32+14:00' }).accepted).toBe(true);
  });

  it('rejects a record only for its required fields, naming them', () => {
    const { userId: _missing, ...withoutUser } = read;
    expect(acceptInteraction({ ...withoutUser, type: 'like' })).toEqual({
      accepted: false,
      errors: [
        { field: 'userId', message: expect.any(String) },
        { field: 'type', message: expect.any(String) },
      ],
    });
    expect(acceptInteraction('a read')).toEqual({
      accepted: false,
      errors: [{ field: '(root)', message: 'expected an object' }],
    });
  });

  it('rejects a read whose dwell is missing or invalid, saying why, but keeps an impression with a bad one', () => {
    expect(acceptInteraction({ ...read, dwellSeconds: -1 })).toEqual({
      accepted: false,
      errors: [
        {
          field: 'dwellSeconds',
          message: expect.stringMatching(/^required when type is "read": Too small.*\(dropped\)$/),
        },
      ],
    });
    expect(acceptInteraction({ ...read, type: 'impression', dwellSeconds: -1 })).toMatchObject({
      accepted: true,
      warnings: [{ field: 'dwellSeconds', reason: 'invalid' }],
    });
  });
});

describe('parseMessage', () => {
  const { key, value } = topicExamples.articlesFlagged;

  it('returns the parsed value of a valid message', () => {
    expect(parseMessage(topics.articlesFlagged, key, value, 'message 0')).toEqual(value);
  });

  it('names the message, the key and each bad field', () => {
    const broken = { ...value, payload: { ...value.payload, flagged: 'yes' } };
    expect(() => parseMessage(topics.articlesFlagged, '', broken, 'message 2 for articles.flagged')).toThrow(
      new ContractViolationError(
        'message 2 for articles.flagged breaks its contract: key: articleId key is required; payload.flagged: Invalid input: expected boolean, received string',
      ),
    );
  });
});

describe('derivedEventId', () => {
  it('is a valid UUID, the same for the same name and different for another', () => {
    const id = derivedEventId('interactions.ingested:evt-1');
    expect(eventEnvelope('x', z.unknown()).shape.eventId.safeParse(id).success).toBe(true);
    expect(derivedEventId('interactions.ingested:evt-1')).toBe(id);
    expect(derivedEventId('interactions.ingested:evt-2')).not.toBe(id);
  });
});
