import { ConfigError, loadConfig } from '@newsroom/config';
import { configSchema } from '../config';
import { EditorialCaps, EditorialCapsConfig } from './editorial-caps';

const parse = (value: string) => EditorialCapsConfig.parse(value);

describe('EditorialCaps', () => {
  it('reads SERVING_EDITORIAL_CAPS: none by default, a default and overrides per facet', () => {
    expect(new EditorialCaps(parse('')).enabled).toBe(false);
    expect(new EditorialCaps(loadConfig(configSchema, {}).SERVING_EDITORIAL_CAPS).enabled).toBe(false);
    const caps = new EditorialCaps(
      parse(
        '{"publisher":{"default":3,"overrides":{"daily-planet":1}},"category":{"overrides":{"politics":2}}}',
      ),
    );
    expect(caps.enabled).toBe(true);
    expect(caps.limitOf('publisher', 'daily-planet')).toBe(1);
    expect(caps.limitOf('publisher', 'the-bugle')).toBe(3);
    expect(caps.limitOf('category', 'politics')).toBe(2);
    expect(caps.limitOf('category', 'science')).toBeUndefined();
    expect(caps.limitOf('publisher', undefined)).toBeUndefined();
    // Any name is a name, also one an object's prototype has.
    expect(caps.limitOf('publisher', 'constructor')).toBe(3);
    expect(caps.limitOf('category', 'toString')).toBeUndefined();
  });

  it('refuses a malformed setting, naming the variable and the field', () => {
    const problems = (value: string) => {
      try {
        loadConfig(configSchema, { SERVING_EDITORIAL_CAPS: value });
        return [];
      } catch (error) {
        return (error as ConfigError).problems.map((p) => p.variable);
      }
    };
    expect(problems('{publisher: 3}')).toEqual(['SERVING_EDITORIAL_CAPS']);
    expect(problems('{"publisher":{"default":0}}')).toEqual(['SERVING_EDITORIAL_CAPS.publisher.default']);
    expect(problems('{"publisher":{"overrides":{"x":1.5}}}')).toEqual([
      'SERVING_EDITORIAL_CAPS.publisher.overrides.x',
    ]);
    expect(problems('{"region":{"default":2}}')).toEqual(['SERVING_EDITORIAL_CAPS']);
  });

  it('counts a response: the first rule an item would break, by publisher then category', () => {
    const tally = new EditorialCaps(parse('{"publisher":{"default":2},"category":{"default":1}}')).tally();
    if (!tally) throw new Error('caps are set');
    tally.add({ publisher: 'p', category: 'c' });
    expect(tally.exceeded({ publisher: 'p', category: 'd' })).toBeUndefined();
    expect(tally.exceeded({ publisher: 'q', category: 'c' })).toBe('category:c');
    tally.add({ publisher: 'p', category: 'd' });
    expect(tally.exceeded({ publisher: 'p', category: 'c' })).toBe('publisher:p');
    expect(tally.exceeded({})).toBeUndefined();
    expect(tally.exceeded(undefined)).toBeUndefined();
  });
});
