export * from './liveness-watch';
export * from './servers';
export * from './service-process';
export * from './unique';
export * from './wait-for';
