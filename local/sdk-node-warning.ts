/**
 * The AWS SDK warns once per process that its releases after January 2027 need Node 22. It says nothing
 * about this run, so `npm start` keeps it off the terminal; every other warning still prints.
 *
 * The SDK emits it as `process.emitWarning('NodeVersionSupportWarning: …')`: a plain `Warning` whose
 * message starts with the word, not a warning named `NodeVersionSupportWarning`. Filtering on the name
 * alone (as this did at first) let it through, once per process.
 */
export function isSdkNodeVersionWarning(warning: Error): boolean {
  return warning.name === 'NodeVersionSupportWarning' || warning.message.startsWith('NodeVersionSupportWarning');
}

/** Re-routes the process's `warning` listeners through {@link isSdkNodeVersionWarning}. Call before the first SDK client. */
export function quietSdkNodeWarning(proc: NodeJS.Process = process): void {
  const listeners = proc.listeners('warning');
  proc.removeAllListeners('warning');
  proc.on('warning', (warning) => {
    if (isSdkNodeVersionWarning(warning)) return;
    for (const l of listeners) l(warning);
  });
}
