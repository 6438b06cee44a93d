export * from './two-topic-dataset';
export * from './untrained-two-tower';
export * from './backends';
export * from './whole-histories';
