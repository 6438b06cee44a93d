import { loadConfig } from '@newsroom/config';
import { z } from 'zod';
import { serviceConfigProblems, serviceEnv } from './service-config';

describe('serviceConfigProblems', () => {
  const schema = z.object(serviceEnv(3000));

  it('finds nothing wrong with the defaults', () => {
    expect(serviceConfigProblems(loadConfig(schema, {}))).toEqual([]);
  });

  it('names the variables whose combination cannot work', () => {
    const config = loadConfig(schema, {
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      KAFKA_HEARTBEAT_INTERVAL_MS: '3000',
      KAFKA_HANDLER_STALL_MS: '1000',
      DB_POOL_SIZE: '1',
    });
    expect(serviceConfigProblems(config).map((p) => p.variable)).toEqual([
      'KAFKA_HEARTBEAT_INTERVAL_MS',
      'KAFKA_HANDLER_STALL_MS',
      'DB_POOL_SIZE',
    ]);
  });
});

describe('PLATFORM_REGIONS', () => {
  const schema = z.object(serviceEnv(3000));

  it('is the three default regions unless set, and any list of names when set', () => {
    expect(loadConfig(schema, {}).PLATFORM_REGIONS).toEqual(['latin-america', 'africa', 'north-america']);
    expect(loadConfig(schema, { PLATFORM_REGIONS: 'latam, emea ,apac' }).PLATFORM_REGIONS).toEqual([
      'latam',
      'emea',
      'apac',
    ]);
  });

  it('refuses "all", the name of the overall fallback, naming the variable', () => {
    expect(() => loadConfig(schema, { PLATFORM_REGIONS: 'latam,all' })).toThrow(
      /PLATFORM_REGIONS: .*overall fallback/,
    );
  });
});
