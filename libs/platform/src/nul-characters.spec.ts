import { nulCharacterAt } from './nul-characters';

describe('nulCharacterAt', () => {
  it('finds a NUL in a nested string or key, naming where', () => {
    expect(nulCharacterAt({ items: [{ articleId: 'a\u0000' }] })).toBe('items.0.articleId');
    expect(nulCharacterAt({ labels: { 'x\u0000y': 'v' } })).toBe('labels.x\\u0000y');
    expect(nulCharacterAt('\u0000')).toBe('(root)');
  });

  it('walks a deeply nested value without overflowing the stack', () => {
    let deep: unknown = 'x\u0000';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(nulCharacterAt(deep)).toMatch(/^0(\.0)+$/);
  });

  it('passes what has none', () => {
    expect(nulCharacterAt({ items: [{ articleId: 'a', n: 1, ok: true, none: null }] })).toBeUndefined();
    expect(nulCharacterAt(undefined)).toBeUndefined();
  });
});
