import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The architecture rule is enforced by lint, not by convention: these run the workspace's own
 * ESLint configuration on imports a service or lib must not make, as if they were in those files.
 */
const workspaceRoot = join(__dirname, '../../..');

function lintErrors(filePath: string, code: string): string[] {
  let output: string;
  try {
    output = execFileSync('npx', ['eslint', '--format', 'json', '--stdin', '--stdin-filename', filePath], {
      cwd: workspaceRoot,
      input: code,
      encoding: 'utf8',
    });
  } catch (error) {
    // ESLint exits 1 when it finds errors; its report is still on stdout.
    output = (error as { stdout: string }).stdout;
  }
  const [result] = JSON.parse(output) as {
    messages: { ruleId: string; severity: number; message: string }[];
  }[];
  return result.messages.filter((m) => m.severity === 2).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('module boundaries', () => {
  it('forbid a service importing another service', () => {
    const errors = lintErrors(
      'services/serving/src/probe.ts',
      "export { configSchema } from '../../ingestion/src/config';\n",
    );
    expect(errors).toEqual([expect.stringMatching(/^@nx\/enforce-module-boundaries: /)]);
  });

  it('forbid a lib importing a service', () => {
    const errors = lintErrors(
      'libs/contracts/src/probe.ts',
      "export { configSchema } from '../../../services/ingestion/src/config';\n",
    );
    expect(errors).toEqual([expect.stringMatching(/^@nx\/enforce-module-boundaries: /)]);
  });

  it('allow a service importing libs', () => {
    expect(
      lintErrors('services/serving/src/probe.ts', "export { topics } from '@newsroom/contracts';\n"),
    ).toEqual([]);
  });
});
