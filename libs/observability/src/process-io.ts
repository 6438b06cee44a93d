import { readFileSync } from 'node:fs';
import { Counter, register } from 'prom-client';

/** The byte counters of /proc/<pid>/io (Linux): storage actually read and written. */
export function parseProcessIo(text: string): { readBytes: number; writeBytes: number } | null {
  const field = (name: string) => {
    const match = new RegExp(`^${name}:\\s*(\\d+)$`, 'm').exec(text);
    return match ? Number(match[1]) : null;
  };
  const readBytes = field('read_bytes');
  const writeBytes = field('write_bytes');
  return readBytes === null || writeBytes === null ? null : { readBytes, writeBytes };
}

function readProcessIo(path: string): { readBytes: number; writeBytes: number } | null {
  try {
    return parseProcessIo(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * `process_disk_read_bytes_total` and `process_disk_written_bytes_total`, read from /proc/self/io
 * at each scrape. Where that file does not exist (not Linux) or cannot be read, neither is
 * registered: no metric rather than a wrong one.
 */
export function collectProcessIo(path = '/proc/self/io'): void {
  if (!readProcessIo(path) || register.getSingleMetric('process_disk_read_bytes_total')) return;
  const counterOf = (
    name: string,
    help: string,
    pick: (io: { readBytes: number; writeBytes: number }) => number,
  ) =>
    new Counter({
      name,
      help,
      registers: [register],
      collect() {
        const io = readProcessIo(path);
        if (!io) return;
        this.reset();
        this.inc(pick(io));
      },
    });
  counterOf(
    'process_disk_read_bytes_total',
    'Bytes this process read from storage (/proc/self/io read_bytes)',
    (io) => io.readBytes,
  );
  counterOf(
    'process_disk_written_bytes_total',
    'Bytes this process wrote to storage (/proc/self/io write_bytes)',
    (io) => io.writeBytes,
  );
}
