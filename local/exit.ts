import { EmulatorError } from '../adapters/aws/errors.js';
import { ValidationError } from '../core/errors.js';
import { EXIT_CODES, LocalRunError } from './errors.js';

/**
 * Runs a command-line entry point and exits with its code. Expected failures (a bad option, a busy port, a
 * missing emulator) print one line and their exit code; anything else is a bug and keeps its stack.
 */
export function runMain(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof LocalRunError) {
        process.stderr.write(`foreshadow: ${error.message}\n`);
        process.exit(EXIT_CODES[error.code]);
      }
      if (error instanceof EmulatorError || error instanceof ValidationError) {
        process.stderr.write(`foreshadow: ${error.message}\n`);
        process.exit(error instanceof EmulatorError ? EXIT_CODES['emulator-failed'] : EXIT_CODES['bad-option']);
      }
      process.stderr.write(`foreshadow: unexpected failure (a bug; please report it with this output)\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(EXIT_CODES.bug);
    },
  );
}
