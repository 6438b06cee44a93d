import { Pipeline, pipelineServices, startPipeline } from '../src/pipeline';

/** 200 reads a second for 45 s: each service is killed and back while the stream flows. */
const READS = 9_000;

/**
 * Scenario 3, for the read pipeline: each service SIGKILLed in turn mid-stream (no shutdown, as
 * the kernel's OOM killer or a lost node would) and started again. Work in flight when it died (a
 * batch half-applied, an outbox row not yet relayed, an offset not yet committed) is done again by
 * the new process and counted once. Training, evaluation, registry and monitoring are killed
 * mid-work in model-life-crashes.int-spec.ts.
 */
describe('fault: each read-pipeline service SIGKILLed in turn mid-stream', () => {
  let pipeline: Pipeline;

  beforeAll(async () => {
    pipeline = await startPipeline();
  }, 240_000);
  afterAll(() => pipeline?.tearDown(), 60_000);

  it('completes the work of every killed process once: every read in every store once, every group caught up', async () => {
    try {
      const stream = pipeline.stream({ id: 'service-crash', reads: READS, perSend: 20, everyMs: 100 });
      const kills: string[] = [];
      for (const [i, name] of pipelineServices.entries()) {
        await stream.reached(((i + 1) * READS) / (pipelineServices.length + 1));
        const ledger = await pipeline.ledger();
        const killedAt = Date.now();
        await pipeline.restart(name, 'SIGKILL');
        kills.push(
          `${name} at ${stream.sent} sent (${ledger.warehouse.stored} stored, ${ledger.featureLog.stored} applied), ` +
            `back in ${((Date.now() - killedAt) / 1000).toFixed(1)} s`,
        );
      }
      await stream.done;
      const ledger = await pipeline.settle(180_000);
      process.stdout.write(
        `service crashes: ${READS} reads; killed ${kills.join('; ')}; ledger ${JSON.stringify(ledger)}\n`,
      );
      expect(ledger).toEqual({
        sent: READS,
        warehouse: { stored: READS, lost: 0, duplicated: 0 },
        featureLog: { stored: READS, lost: 0, duplicated: 0 },
        featureReadsCounted: READS,
        scoringBehind: 0,
        servingBehind: 0,
        deadLetters: 0,
        rejected: 0,
      });
    } catch (error) {
      process.stdout.write(pipeline.output());
      throw error;
    }
  }, 420_000);
});
