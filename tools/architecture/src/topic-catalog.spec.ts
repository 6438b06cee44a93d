import { ServiceName, TopicDefinition, allTopics, everyService, serviceNames } from '@newsroom/contracts';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SiteRole, TopicSite, scanDirectory, scanService, scanSource } from './topic-sites';

/**
 * The event map is code: every topic in libs/contracts/src/topics.ts names its producers and
 * consumers, and this holds them to what services/<name>/src actually does, both ways.
 */
const workspaceRoot = join(__dirname, '../../..');
const catalogFile = 'libs/contracts/src/topics.ts';

const listed = (topic: TopicDefinition, role: SiteRole): readonly string[] =>
  role === 'publishes' ? topic.producers : topic.consumers;
const side = (role: SiteRole) => (role === 'publishes' ? 'producers' : 'consumers');

const scans = serviceNames.map((service) => ({ service, ...scanService(workspaceRoot, service) }));
const sites: (TopicSite & { service: ServiceName })[] = scans.flatMap((s) =>
  s.sites.map((site) => ({ ...site, service: s.service })),
);

describe('the topic catalog against the code', () => {
  it('names every service, as the directories under services/ do', () => {
    const directories = readdirSync(join(workspaceRoot, 'services'), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    expect([...serviceNames].sort()).toEqual(directories.sort());
  });

  it('finds every use of a topic in the services at a site it recognises', () => {
    const problems = scans.flatMap((s) => s.problems.map((p) => `${p.file}:${p.line}: ${p.message}`));
    expect(problems).toEqual([]);
  });

  it('lists every service that publishes or consumes a topic', () => {
    const missing = sites
      .filter((site) => !listed(byName(site.topic), site.role).includes(site.service))
      .map(
        (site) =>
          `${site.file}:${site.line}: ${site.service} ${site.role} ${site.topic} (${site.via}), ` +
          `but ${catalogFile} does not list ${site.service} among the ${side(site.role)} of ${site.topic}`,
      );
    expect(missing).toEqual([]);
  });

  it('lists no service as a producer or consumer of a topic that its code does not publish or consume', () => {
    const unfounded = allTopics.flatMap((topic) =>
      (['publishes', 'consumes'] as const).flatMap((role) =>
        listed(topic, role)
          .filter((party): party is ServiceName => (serviceNames as readonly string[]).includes(party))
          .filter(
            (service) =>
              !sites.some((s) => s.service === service && s.role === role && s.topic === topic.name),
          )
          .map(
            (service) =>
              `${catalogFile} lists ${service} among the ${side(role)} of ${topic.name}, ` +
              `but no file under services/${service}/src ${role === 'publishes' ? 'publishes' : 'consumes'} it`,
          ),
      ),
    );
    expect(unfounded).toEqual([]);
  });
});

describe('topics every service publishes through the platform', () => {
  // The test harness (libs/platform/src/testing) publishes as the producers it stands in for.
  const scan = scanDirectory(workspaceRoot, 'libs/platform/src');
  const running = <T extends { file: string }>(found: T[]) =>
    found.filter((f) => !f.file.startsWith('libs/platform/src/testing/'));
  const platform = { sites: running(scan.sites), problems: running(scan.problems) };
  const published = platform.sites.filter((s) => s.role === 'publishes').map((s) => s.topic);

  it('publishes each one in libs/platform, and nothing else there', () => {
    const everyServices = allTopics.filter((t) => t.producers.includes(everyService)).map((t) => t.name);
    expect(everyServices.length).toBeGreaterThan(0);
    expect([...new Set(published)].sort()).toEqual(everyServices.sort());
    expect(platform.problems).toEqual([]);
  });
});

function byName(name: string): TopicDefinition {
  const topic = allTopics.find((t) => t.name === name);
  if (!topic) throw new Error(`no topic named ${name}`);
  return topic;
}

describe('finding sites in source', () => {
  const scan = (code: string) => scanSource('services/x/src/x.ts', code);
  const header = "import { topics } from '@newsroom/contracts';\n";
  const found = (code: string) =>
    scan(header + code).sites.map((s) => `${s.line} ${s.role} ${s.topic} ${s.via}`);

  it('recognises consuming decorators, and ignores topics named only in types', () => {
    expect(
      found(
        [
          'class C {',
          '  @ConsumeTopicBatch(topics.articlesRaw, { deliverInvalid: true })',
          '  a(@Payload() b: MessageBatch<TopicValue<typeof topics.articlesRaw>>) {}',
          '  @ConsumeTopic(topics.modelPromoted)',
          '  b(e: TopicPayload<typeof topics.modelTrained>) {}',
          '}',
        ].join('\n'),
      ),
    ).toEqual(['3 consumes articles.raw @ConsumeTopicBatch', '5 consumes model.promoted @ConsumeTopic']);
  });

  it('recognises the outbox and the publisher, however the call is laid out', () => {
    expect(
      found(
        [
          'await this.outbox.enqueue(',
          '  manager,',
          '  topics.articlesIngested,',
          '  [{ key, value: newEvent(topics.articlesIngested.name, payload, "ingestion") }],',
          ');',
          'await this.runs.enqueue(manager, { trigger: "drift" });',
          'const topic = topics.recommendationsServed;',
          'await publisher.publishSerialized(topic.name, messages);',
          'await this.publisher.publish(topics.modelPromoted, []);',
        ].join('\n'),
      ),
    ).toEqual([
      '2 publishes articles.ingested outbox.enqueue',
      '9 publishes recommendations.served publisher.publishSerialized',
      '10 publishes model.promoted publisher.publish',
    ]);
  });

  it('takes the topics a file names elsewhere for a call that does not name its own', () => {
    const code = [
      'const entities = { user: { topic: topics.featuresUsers }, article: { topic: topics.featuresArticles } };',
      'await this.publisher.publish(entity.topic, messages);',
    ].join('\n');
    expect(found(code)).toEqual([
      '3 publishes features.users publisher.publish',
      '3 publishes features.articles publisher.publish',
    ]);
  });

  it('reports a use of a topic it cannot place, rather than skipping it', () => {
    expect(scan(header + 'await this.events.publish(topics.modelPromoted, []);').problems).toEqual([
      {
        file: 'services/x/src/x.ts',
        line: 2,
        message: expect.stringContaining(
          'topics.modelPromoted is used, but not at a publishing or consuming site',
        ),
      },
    ]);
    expect(scan(header + 'await this.publisher.publish(pick(), []);').problems).toEqual([
      expect.objectContaining({ line: 2, message: expect.stringContaining('cannot tell') }),
    ]);
    expect(scan(header + '@EventPattern("model.promoted") class C {}').problems).toEqual([
      expect.objectContaining({ message: expect.stringContaining('consume through @ConsumeTopic') }),
    ]);
  });
});
