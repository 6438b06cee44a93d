import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import { Interaction, topicExamples } from '@newsroom/contracts';
import { validateItems } from './ingestion-request';

describe('validateItems', () => {
  const read = topicExamples.interactionsRaw.value;

  it('takes one object as a batch of one', () => {
    expect(validateItems(Interaction, read, 10)).toEqual({ single: true, valid: [read], errors: [] });
  });

  it('keeps the valid items of a batch and reports each invalid one by index and field', () => {
    const result = validateItems(Interaction, { items: [read, { ...read, dwellSeconds: -1 }, read] }, 10);
    expect(result.valid).toHaveLength(2);
    expect(result.errors).toEqual([
      { index: 1, field: 'dwellSeconds', message: expect.stringContaining('>=0') },
    ]);
  });

  it('refuses more items than the limit with 413, and items that are not an array with 400', () => {
    expect(() => validateItems(Interaction, { items: [read, read, read] }, 2)).toThrow(
      PayloadTooLargeException,
    );
    expect(() => validateItems(Interaction, { items: 'all of them' }, 2)).toThrow(BadRequestException);
  });
});
