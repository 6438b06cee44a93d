import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import { acceptInteraction, topicExamples } from '@newsroom/contracts';
import { validateItems } from './ingestion-request';

describe('validateItems', () => {
  const read = topicExamples.interactionsRaw.value;

  it('takes one object as a batch of one', () => {
    expect(validateItems(acceptInteraction, read, 10)).toEqual({
      single: true,
      valid: [read],
      errors: [],
      warnings: [],
    });
  });

  it('keeps the valid items of a batch and reports each invalid one by index and field', () => {
    const result = validateItems(
      acceptInteraction,
      { items: [read, { ...read, dwellSeconds: -1 }, read] },
      10,
    );
    expect(result.valid).toHaveLength(2);
    expect(result.errors).toEqual([
      { index: 1, field: 'dwellSeconds', message: expect.stringContaining('>=0') },
    ]);
  });

  it('keeps an item with an invalid optional attribute or an unknown field, listing each as a warning', () => {
    const result = validateItems(
      acceptInteraction,
      { items: [read, { ...read, sessionId: '', colour: 'red' }, { ...read, type: 'like' }] },
      10,
    );
    const { sessionId: _dropped, ...withoutSession } = read;
    expect(result.valid).toEqual([read, withoutSession]);
    expect(result.warnings).toEqual([
      { index: 1, field: 'sessionId', reason: 'invalid', message: expect.stringContaining('dropped') },
      { index: 1, field: 'colour', reason: 'unknown-field', message: 'not in the contract (ignored)' },
    ]);
    expect(result.errors).toEqual([{ index: 2, field: 'type', message: expect.any(String) }]);
  });

  it('refuses more items than the limit with 413, and items that are not an array with 400', () => {
    expect(() => validateItems(acceptInteraction, { items: [read, read, read] }, 2)).toThrow(
      PayloadTooLargeException,
    );
    expect(() => validateItems(acceptInteraction, { items: 'all of them' }, 2)).toThrow(BadRequestException);
  });
});
