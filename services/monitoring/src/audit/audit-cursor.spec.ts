import { decodeCursor, encodeCursor } from './audit-cursor';

describe('audit cursor', () => {
  it('round-trips a position', () => {
    const cursor = { servedAt: '2026-12-04T08:00:00.123Z', requestId: 'req-1' };
    const token = encodeCursor(cursor);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(token)).toEqual(cursor);
  });

  it.each([
    ['not base64 JSON', 'not-a-cursor'],
    ['a JSON object', Buffer.from('{"servedAt":"2026-12-04T08:00:00Z"}').toString('base64url')],
    ['a bad time', Buffer.from('["yesterday","req-1"]').toString('base64url')],
    ['an empty request id', Buffer.from('["2026-12-04T08:00:00Z",""]').toString('base64url')],
  ])('refuses %s', (_what, token) => {
    expect(decodeCursor(token)).toBeUndefined();
  });
});
