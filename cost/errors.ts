/** A bad `npm run cost` option: the message quotes the value and says what is allowed, in one line. */
export class CostCliError extends Error {
  override readonly name = 'CostCliError';
  readonly code = 'bad-option';
}
