import { ServiceHandle, ServiceWorld, serviceWorld, testAdminKey } from '@newsroom/platform/testing';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(__dirname, '..');
const config = join(root, 'schemathesis.toml');

/** Every service, each with the tests' admin key (accepted wherever any key is). */
const services: Record<string, Record<string, string>> = {
  ingestion: { INGESTION_ADMIN_API_KEYS: `fuzz:${testAdminKey}` },
  'feature-store': { FEATURES_ADMIN_API_KEYS: `fuzz:${testAdminKey}` },
  training: { TRAINING_ADMIN_API_KEYS: `fuzz:${testAdminKey}` },
  evaluation: {},
  registry: { REGISTRY_ADMIN_API_KEYS: `fuzz:${testAdminKey}` },
  'batch-scoring': {},
  serving: { SERVING_ADMIN_API_KEYS: `fuzz:${testAdminKey}` },
  monitoring: { MONITORING_ADMIN_API_KEYS: `fuzz:${testAdminKey}` },
};

/**
 * Schemathesis (PyPI, pinned by install.sh) against each service's OpenAPI document: generated
 * valid and invalid requests through the examples, coverage and fuzzing phases, with every check
 * (no 5xx, documented status codes, content types and headers, response schemas, valid data
 * accepted and invalid rejected, auth not ignored, 405 for undeclared methods) and
 * schemathesis.toml's few reasoned exceptions. Real Kafka and PostgreSQL under the services.
 */
describe('every service against its OpenAPI document (schemathesis)', () => {
  let world: ServiceWorld;
  let schemathesis: string;
  let reports: string;
  const started = new Map<string, ServiceHandle>();

  beforeAll(async () => {
    schemathesis = (await run('bash', [join(root, 'install.sh')], { timeout: 600_000 })).stdout.trim();
    reports = await mkdtemp(join(tmpdir(), 'contract-fuzz-'));
    world = await serviceWorld(1);
    const handles = await Promise.all(
      Object.entries(services).map(async ([name, env]) => [name, await world.start(name, env)] as const),
    );
    for (const [name, handle] of handles) started.set(name, handle);
  }, 900_000);
  afterAll(async () => {
    await world?.tearDown();
    if (reports) await rm(reports, { recursive: true, force: true });
  });

  it.each(Object.keys(services))(
    '%s: no server error, no schema violation, no undocumented status',
    async (name) => {
      const service = started.get(name)!;
      const junit = join(reports, `${name}.xml`);
      const { code, output } = await run(
        schemathesis,
        [
          '--config-file',
          config,
          'run',
          `${service.process.url}/docs/openapi.json`,
          '--header',
          `x-api-key: ${testAdminKey}`,
          '--phases',
          'examples,coverage,fuzzing',
          '--no-color',
          '--report',
          'junit',
          '--report-junit-path',
          junit,
        ],
        // Its working files (.hypothesis/, .schemathesis/) go with the reports, not into the repository.
        { cwd: reports, timeout: 600_000, maxBuffer: 64 * 1024 * 1024 },
      ).then(
        ({ stdout }) => ({ code: 0, output: stdout }),
        (error: { code?: number; stdout?: string; stderr?: string }) => ({
          code: error.code ?? -1,
          output: `${error.stdout ?? ''}${error.stderr ?? ''}`,
        }),
      );
      const generated = Number(/(\d+) generated/.exec(output)?.[1] ?? 0);
      const operations = (await readFile(junit, 'utf8').catch(() => '')).match(/<testcase /g)?.length ?? 0;
      process.stdout.write(
        `${name}: ${generated} cases generated over ${operations} operations, exit ${code}\n`,
      );
      if (code !== 0) throw new Error(`schemathesis found problems in ${name}:\n${output.slice(-12_000)}`);
      expect(generated).toBeGreaterThan(0);
    },
    900_000,
  );
});
