import { readText, serviceNames } from './workspace';

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  base: string;
  name?: string;
  instructions: Instruction[];
}

/** Dockerfile instructions (continuation lines joined, comments dropped), split into stages. */
function parseDockerfile(text: string): { args: Map<string, string>; stages: Stage[] } {
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, keyword, rest] = line.match(/^(\S+)\s*(.*)$/) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args: rest };
    if (instruction.keyword === 'FROM') {
      const [, image, name] = rest.match(/^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i) ?? [];
      const base = image.replace(/\$\{?(\w+)\}?/g, (_, v: string) => args.get(v) ?? `$${v}`);
      stages.push({ base, name, instructions: [] });
    } else if (stages.length === 0 && instruction.keyword === 'ARG') {
      const [name, value = ''] = rest.split('=');
      args.set(name.trim(), value.trim().replace(/^["']|["']$/g, ''));
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { args, stages };
}

const { stages } = parseDockerfile(readText('Dockerfile'));
const stageByName = (name: string) => stages.find((s) => s.name === name);

/** A stage with the instructions of the stages it is built FROM before its own. */
function withAncestors(stage: Stage): Stage {
  const parent = stageByName(stage.base);
  return parent
    ? { ...stage, instructions: [...withAncestors(parent).instructions, ...stage.instructions] }
    : stage;
}
/** The default target (the last stage), as built. */
const runtime = withAncestors(stages[stages.length - 1]);

/** The image a stage finally rests on (following FROM <earlier stage>). */
function rootImage(stage: Stage): string {
  const parent = stageByName(stage.base);
  return parent ? rootImage(parent) : stage.base;
}
const runs = (stage: Stage) => stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);

describe('Dockerfile', () => {
  it('is multi-stage and every stage is Node 24', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages)
      expect(rootImage(stage)).toMatch(/^(docker\.io\/(library\/)?)?node:24([.-]|$)/);
  });

  it('installs dependencies with npm ci and builds every service and the ops CLI', () => {
    const allRuns = stages.flatMap(runs);
    expect(allRuns.some((r) => /\bnpm ci\b/.test(r) && !r.includes('--omit=dev'))).toBe(true);
    const build = allRuns.find(
      (r) => /\bnx run-many\b/.test(r) && /-t(=|\s+)build|--target(=|\s+)build/.test(r),
    );
    expect(build).toBeDefined();
    const projects = build!.match(/--projects[= ](\S+)/)?.[1].split(',') ?? [];
    const servicesBuilt =
      projects.includes('tag:type:service') || serviceNames().every((s) => projects.includes(s));
    expect({ servicesBuilt, ops: projects.includes('ops') }).toEqual({ servicesBuilt: true, ops: true });
  });

  describe('runtime stage', () => {
    const copies = runtime.instructions.filter((i) => i.keyword === 'COPY').map((i) => i.args);

    it('runs as a non-root USER', () => {
      const users = runtime.instructions.filter((i) => i.keyword === 'USER').map((i) => i.args.split(':')[0]);
      expect(users.length).toBeGreaterThan(0);
      expect(['root', '0']).not.toContain(users[users.length - 1]);
    });

    it('sets NODE_ENV=production', () => {
      const env = runtime.instructions.filter((i) => i.keyword === 'ENV').map((i) => i.args);
      expect(env.some((e) => /\bNODE_ENV[= ]production\b/.test(e))).toBe(true);
    });

    it('takes production-only node_modules and the built dist/', () => {
      const nodeModules = copies.find((c) => /node_modules/.test(c));
      const from = nodeModules?.match(/--from=(\S+)/)?.[1];
      const source = from ? stageByName(from) : undefined;
      expect(source && runs(source).some((r) => /\bnpm ci\b.*--omit=dev/.test(r))).toBe(true);
      expect(copies.some((c) => /--from=\S+\s+\S*dist\b/.test(c))).toBe(true);
    });

    it('needs a program to be named: ENTRYPOINT node, no service by default', () => {
      const entrypoint = runtime.instructions.filter((i) => i.keyword === 'ENTRYPOINT').at(-1);
      expect(JSON.parse(entrypoint?.args ?? '[]')).toEqual(['node']);
      const cmd = runtime.instructions.filter((i) => i.keyword === 'CMD').at(-1)?.args;
      const argv =
        cmd === undefined ? [] : cmd.startsWith('[') ? (JSON.parse(cmd) as string[]) : cmd.split(/\s+/);
      expect(argv.filter((a) => /^(\.\/)?dist\/(services|tools)\/[^/]+\/main\.js$/.test(a))).toEqual([]);
    });
  });
});

describe('Dockerfile target runtime-native (training, evaluation, batch scoring)', () => {
  const native = stageByName('runtime-native');

  it('is the runtime image with tfjs-node taken from a stage that built it with tools/native-tf', () => {
    expect(native).toBeDefined();
    expect(native!.base).toBe(stages[stages.length - 1].base);
    const copy = native!.instructions.find(
      (i) => i.keyword === 'COPY' && i.args.includes('@tensorflow/tfjs-node'),
    );
    const from = stageByName(copy?.args.match(/--from=(\S+)/)?.[1] ?? '');
    // Its mode a build argument: auto by default (another architecture falls back, saying so),
    // required for release builds.
    const arg = from?.instructions.find((i) => i.keyword === 'ARG' && i.args.startsWith('NATIVE_TF='));
    expect(arg?.args).toBe('NATIVE_TF=auto');
    expect(
      from &&
        runs(from).some((r) => /NEWSROOM_NATIVE_TF=\$\{NATIVE_TF\} .*tools\/native-tf\/install\.sh/.test(r)),
    ).toBe(true);
    // node-gyp needs a compiler and python3: the full Node image, not the slim runtime.
    expect(rootImage(from!)).not.toMatch(/slim/);
  });

  it('is not the default target: the plain image stays the last stage', () => {
    expect(stages[stages.length - 1].name).toBe('runtime');
  });
});

describe('.dockerignore', () => {
  it('keeps local state and build output out of the build context', () => {
    const entries = readText('.dockerignore')
      .split(/\r?\n/)
      .map((l) =>
        l
          .trim()
          .replace(/^\*\*\//, '')
          .replace(/\/$/, ''),
      )
      .filter((l) => l && !l.startsWith('#'));
    expect(entries).toEqual(expect.arrayContaining(['node_modules', 'dist', '.git', '.nx', '.local']));
  });
});
