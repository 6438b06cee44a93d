import { TopicId, topics } from '@newsroom/contracts';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import * as ts from 'typescript';

/**
 * Finds where the services publish and consume topics, by reading their source (parsed with the
 * TypeScript compiler, nothing executed), so that a test can hold the code to the catalog of
 * libs/contracts/src/topics.ts.
 *
 * Recognised sites:
 * - consuming: the `@ConsumeTopic(t)` and `@ConsumeTopicBatch(t, …)` decorators;
 * - publishing: `<…outbox>.enqueue(manager, t, …)` (the transactional outbox) and
 *   `<…publisher>.publish(t, …)` / `<…publisher>.publishSerialized(t.name, …)` (EventPublisher).
 *
 * `t` is `topics.x`, `topics.x.name`, a constant holding `topics.x`, a topic name as a string, or
 * an expression that says nothing by itself (`entity.topic`): such a site publishes the topics
 * the same file names elsewhere (`topic: topics.featuresUsers` in a table of what to publish).
 * Every other use of `topics.x` as a value is reported as a problem rather than ignored, so a
 * new way of publishing or consuming cannot slip past the check unnoticed. (`typeof topics.x` in a
 * type is not a use.)
 */
export type SiteRole = 'publishes' | 'consumes';

export interface TopicSite {
  /** The topic's name, e.g. `articles.ingested`. */
  topic: string;
  role: SiteRole;
  /** Workspace-relative path and 1-based line. */
  file: string;
  line: number;
  /** How it was recognised, e.g. `@ConsumeTopicBatch` or `outbox.enqueue`. */
  via: string;
}

export interface ScanProblem {
  file: string;
  line: number;
  message: string;
}

export interface FileScan {
  sites: TopicSite[];
  problems: ScanProblem[];
}

const consumingDecorators = new Set(['ConsumeTopic', 'ConsumeTopicBatch']);

/** Method calls that publish: the receiver's name, the method, and which argument is the topic. */
const publishingCalls: { receiver: RegExp; method: string; topicArgument: number }[] = [
  { receiver: /outbox$/i, method: 'enqueue', topicArgument: 1 },
  { receiver: /outbox$/i, method: 'enqueueSelected', topicArgument: 1 },
  { receiver: /publisher$/i, method: 'publish', topicArgument: 0 },
  { receiver: /publisher$/i, method: 'publishSerialized', topicArgument: 0 },
];

/** The parts of the event map this site holds, before an unresolved topic is filled in. */
interface PendingSite {
  role: SiteRole;
  node: ts.Node;
  via: string;
  topicId?: TopicId;
}

const isTopicId = (name: string): name is TopicId => Object.hasOwn(topics, name);

const topicIdsByName = new Map(Object.entries(topics).map(([id, t]) => [t.name as string, id as TopicId]));

/** The local name under which a file imports the catalog (`import { topics } from '@newsroom/contracts'`). */
function catalogImportName(source: ts.SourceFile): string | undefined {
  for (const statement of source.statements) {
    if (
      !ts.isImportDeclaration(statement) ||
      !ts.isStringLiteral(statement.moduleSpecifier) ||
      statement.moduleSpecifier.text !== '@newsroom/contracts'
    )
      continue;
    const bindings = statement.importClause?.namedBindings;
    if (bindings && ts.isNamedImports(bindings)) {
      const element = bindings.elements.find((e) => (e.propertyName ?? e.name).text === 'topics');
      if (element) return element.name.text;
    }
  }
  return undefined;
}

function receiverName(expression: ts.Expression): string | undefined {
  if (ts.isIdentifier(expression)) return expression.text;
  if (ts.isPropertyAccessExpression(expression)) return expression.name.text;
  return undefined;
}

/** Scans one source file; `file` is its workspace-relative path, used in what is reported. */
export function scanSource(file: string, text: string): FileScan {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const problems: ScanProblem[] = [];
  const lineOf = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const problem = (node: ts.Node, message: string) => problems.push({ file, line: lineOf(node), message });
  const catalog = catalogImportName(source);
  /** `topics.x` as a value: a property access on the imported catalog (in a type it is `typeof topics.x`). */
  const catalogReference = (node: ts.Node): ts.PropertyAccessExpression | undefined =>
    catalog !== undefined &&
    ts.isPropertyAccessExpression(node) &&
    ts.isIdentifier(node.expression) &&
    node.expression.text === catalog
      ? node
      : undefined;

  // `const topic = topics.recommendationsServed`: the constant stands for the topic.
  const aliases = new Map<string, TopicId>();
  const aliasInitializers = new Set<ts.Node>();
  const collectAliases = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
      const reference = catalogReference(node.initializer);
      if (reference && isTopicId(reference.name.text)) {
        aliases.set(node.name.text, reference.name.text);
        aliasInitializers.add(reference);
      }
    }
    ts.forEachChild(node, collectAliases);
  };
  collectAliases(source);

  /** The topic an argument names, or undefined when the expression alone does not say. */
  const topicOf = (expression: ts.Expression): TopicId | undefined => {
    const reference = catalogReference(expression);
    if (reference) return isTopicId(reference.name.text) ? reference.name.text : undefined;
    if (ts.isPropertyAccessExpression(expression) && expression.name.text === 'name')
      return topicOf(expression.expression);
    if (ts.isIdentifier(expression)) return aliases.get(expression.text);
    if (ts.isStringLiteral(expression) || ts.isNoSubstitutionTemplateLiteral(expression))
      return topicIdsByName.get(expression.text);
    return undefined;
  };

  const found: PendingSite[] = [];
  /** `topics.x` used as a value outside any recognised site. */
  const loose: ts.PropertyAccessExpression[] = [];

  const visit = (node: ts.Node, insideSite: boolean): void => {
    let site: PendingSite | undefined;
    if (ts.isDecorator(node) && ts.isCallExpression(node.expression)) {
      const callee = node.expression.expression;
      if (ts.isIdentifier(callee) && consumingDecorators.has(callee.text)) {
        const argument = node.expression.arguments[0];
        site = { role: 'consumes', node, via: `@${callee.text}`, topicId: argument && topicOf(argument) };
        if (!site.topicId)
          problem(node, `@${callee.text} with a topic this test cannot tell: use topics.<id>`);
      } else if (ts.isIdentifier(callee) && /^(EventPattern|MessagePattern)$/.test(callee.text)) {
        problem(node, `@${callee.text} directly: consume through @ConsumeTopic or @ConsumeTopicBatch`);
      }
    } else if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const method = node.expression.name.text;
      const receiver = receiverName(node.expression.expression);
      const call = publishingCalls.find((c) => c.method === method && receiver && c.receiver.test(receiver));
      const argument = call && node.arguments[call.topicArgument];
      if (call && argument) {
        site = { role: 'publishes', node, via: `${receiver}.${method}`, topicId: topicOf(argument) };
      }
    }
    if (site) found.push(site);

    const reference = catalogReference(node);
    if (reference && !insideSite && !aliasInitializers.has(reference)) {
      if (isTopicId(reference.name.text)) loose.push(reference);
      else problem(reference, `topics.${reference.name.text} is not in the catalog`);
    }
    ts.forEachChild(node, (child) => visit(child, insideSite || site !== undefined));
  };
  visit(source, false);

  // A site whose topic the call does not name publishes what the file names elsewhere.
  const unresolved = found.filter((s) => s.role === 'publishes' && !s.topicId);
  const looseIds = [...new Set(loose.map((r) => r.name.text as TopicId))];
  if (unresolved.length > 0 && looseIds.length === 0) {
    for (const s of unresolved)
      problem(s.node, `${s.via} with a topic this test cannot tell, and the file names no topic`);
  }
  if (unresolved.length === 0) {
    for (const reference of loose)
      problem(
        reference,
        `topics.${reference.name.text} is used, but not at a publishing or consuming site this test recognises ` +
          `(tools/architecture/src/topic-sites.ts)`,
      );
  }

  const sites: TopicSite[] = found.flatMap((s) => {
    const ids = s.topicId ? [s.topicId] : s.role === 'publishes' ? looseIds : [];
    return ids.map((id) => ({
      topic: topics[id].name,
      role: s.role,
      file,
      line: lineOf(s.node),
      via: s.via,
    }));
  });
  return { sites, problems };
}

/** TypeScript files under a directory (recursive), sorted; specs are not sites. */
function sourceFiles(absoluteDir: string): string[] {
  return readdirSync(absoluteDir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(absoluteDir, entry.name);
      if (entry.isDirectory()) return sourceFiles(full);
      return entry.name.endsWith('.ts') && !/\.(spec|int-spec)\.ts$/.test(entry.name) ? [full] : [];
    })
    .sort();
}

/** Every site under services/<service>/src. */
export function scanService(workspaceRoot: string, service: string): FileScan {
  return scanDirectory(workspaceRoot, path.join('services', service, 'src'));
}

/** Every site under a directory of the workspace (e.g. libs/platform/src). */
export function scanDirectory(workspaceRoot: string, directory: string): FileScan {
  const scans = sourceFiles(path.join(workspaceRoot, directory)).map((full) =>
    scanSource(path.relative(workspaceRoot, full), readFileSync(full, 'utf8')),
  );
  return { sites: scans.flatMap((s) => s.sites), problems: scans.flatMap((s) => s.problems) };
}
