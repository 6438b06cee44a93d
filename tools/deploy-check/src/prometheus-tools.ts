import { execFileSync } from 'node:child_process';
import { fromRoot } from './workspace';

/**
 * Runs promtool (Debian's `prometheus` package) or amtool (`prometheus-alertmanager`), which
 * .ci/run installs, from the workspace root; a failure carries the tool's own output.
 */
export function runPrometheusTool(tool: 'promtool' | 'amtool', args: string[]): string {
  try {
    return execFileSync(tool, args, { cwd: fromRoot(), encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (e.code === 'ENOENT') {
      const pkg = tool === 'promtool' ? 'prometheus' : 'prometheus-alertmanager';
      throw new Error(
        `${tool} not found: install it (Debian/Ubuntu: apt-get install -y ${pkg}); .ci/run does`,
      );
    }
    throw new Error(`${tool} ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}
