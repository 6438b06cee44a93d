import { register } from 'prom-client';
import { collectProcessIo, parseProcessIo } from './process-io';

describe('process I/O', () => {
  it('reads the byte counters of /proc/<pid>/io, and nothing from text without them', () => {
    const text =
      'rchar: 7120\nwchar: 412\nsyscr: 19\nsyscw: 5\nread_bytes: 4096\nwrite_bytes: 8192\ncancelled_write_bytes: 0\n';
    expect(parseProcessIo(text)).toEqual({ readBytes: 4096, writeBytes: 8192 });
    expect(parseProcessIo('rchar: 7120\n')).toBeNull();
  });

  it('exports nothing, and throws nothing, where the file does not exist', async () => {
    expect(() => collectProcessIo('/nonexistent/proc/self/io')).not.toThrow();
    expect(register.getSingleMetric('process_disk_read_bytes_total')).toBeUndefined();
    expect(await register.metrics()).not.toContain('process_disk_');
  });

  it('exports them on a scrape, growing as the process writes', async () => {
    collectProcessIo();
    const value = async (name: string) => (await register.getSingleMetric(name)!.get()).values[0].value;
    const written = await value('process_disk_written_bytes_total');
    expect(written).toBeGreaterThanOrEqual(0);
    expect(await value('process_disk_read_bytes_total')).toBeGreaterThanOrEqual(0);
  });
});
