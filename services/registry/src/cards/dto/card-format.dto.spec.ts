import { parseBody } from '@newsroom/platform';
import { CardQuery, cardFormat } from './card-format.dto';

describe('cardFormat', () => {
  it.each([
    [{}, undefined, 'json'],
    [{}, 'application/json', 'json'],
    [{}, '*/*', 'json'],
    [{}, 'text/markdown', 'markdown'],
    [{}, 'text/html, text/markdown;q=0.9', 'markdown'],
    [{ format: 'markdown' }, 'application/json', 'markdown'],
    [{ format: 'json' }, 'text/markdown', 'json'],
  ] as const)('query %j, Accept %s: %s', (query, accept, expected) => {
    expect(cardFormat(query, accept)).toBe(expected);
  });

  it('refuses another format with a 400 naming the field', () => {
    expect(() => parseBody(CardQuery, { format: 'pdf' })).toThrow(/format/);
  });
});
