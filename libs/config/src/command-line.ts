/**
 * Runs a command-line tool's `main`: its result is the exit code; an error (a bad variable, an
 * unreachable broker) is printed as one line, without a stack trace, and exits 1.
 */
export function runCommandLine(main: (args: string[]) => Promise<number>, errorPrefix = ''): void {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: Error) => {
      console.error(`${errorPrefix}${error.message}`);
      process.exit(1);
    },
  );
}
