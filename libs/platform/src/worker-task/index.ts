// Imported by worker scripts on its own (`@newsroom/platform/worker-task`): no Nest in the thread.
export * from './worker-task';
export * from './worker-task-host';
