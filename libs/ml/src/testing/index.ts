export * from './two-topic-dataset';
