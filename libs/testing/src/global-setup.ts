import { DataSource } from 'typeorm';
import { ensureTestServers } from './servers';

/** Jest global setup: real servers up, and the database answering, before any test file runs. */
export default async function globalSetup(): Promise<void> {
  const servers = await ensureTestServers();
  const dataSource = new DataSource({ type: 'postgres', url: servers.databaseUrl });
  await dataSource.initialize();
  await dataSource.query('SELECT 1');
  await dataSource.destroy();
}
