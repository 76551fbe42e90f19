import { parseArgs, type ParseArgsConfig } from 'node:util';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** A command line the CLI cannot use, in the project's "field must be allowed (given value)" terms. */
export interface CliArgsProblem {
  readonly field: string;
  readonly allowed: string;
  readonly given: string | undefined;
}

/**
 * The one command-line parser of `npm start` and `npm run sim`: `node:util` `parseArgs` with the usual
 * behaviour (`--x=v`, `--x v`, `-h`, defaults), except that a value starting with a dash is the option's value
 * (`--duration -5` reaches the option's own range check instead of Node's multi-line "argument is ambiguous"),
 * and every rejection is one problem naming the flag, what is allowed and what was given.
 */
export function parseCliArgs<const O extends OptionsConfig>(
  argv: readonly string[],
  options: O,
): { readonly ok: true; readonly values: ReturnType<typeof parseArgs<{ options: O; strict: true; allowPositionals: false }>>['values'] } | { readonly ok: false; readonly problem: CliArgsProblem } {
  const known = Object.keys(options).map((name) => `--${name}`);
  const oneOf = `one of ${known.join(', ')}`;
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const normalized: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'option-terminator') return { ok: false, problem: { field: 'argument', allowed: oneOf, given: '--' } };
    if (token.kind === 'positional') return { ok: false, problem: { field: 'argument', allowed: oneOf, given: token.value } };
    const spec = options[token.name];
    if (spec === undefined) return { ok: false, problem: { field: 'argument', allowed: oneOf, given: token.rawName } };
    const flag = `--${token.name}`;
    if (spec.type === 'boolean') {
      if (token.value !== undefined) return { ok: false, problem: { field: flag, allowed: 'given without a value', given: token.value } };
      normalized.push(flag);
    } else {
      if (token.value === undefined || (token.inlineValue !== true && token.value.startsWith('--'))) {
        return { ok: false, problem: { field: flag, allowed: 'followed by a value', given: undefined } };
      }
      normalized.push(`${flag}=${token.value}`);
    }
  }
  return { ok: true, values: parseArgs({ args: normalized, options, strict: true, allowPositionals: false }).values };
}
