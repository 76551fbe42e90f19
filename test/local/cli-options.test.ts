import { describe, expect, it } from 'vitest';
import { DEFAULT_PORT, parseCliOptions, parseDurationSec } from '../../local/cli-options.js';
import { LocalRunError } from '../../local/errors.js';

describe('the npm start options', () => {
  it('defaults to the spm policy, the dashboard on the default port and the report under out/', () => {
    expect(parseCliOptions([])).toEqual({ policy: 'spm', policies: ['spm'], port: DEFAULT_PORT, json: false, dashboard: true, out: 'out/local-report.json', help: false });
  });

  it('reads --policy a,b as a comparison, the first policy first', () => {
    expect(parseCliOptions(['--policy', 'spm, static'])).toMatchObject({ policy: 'spm', policies: ['spm', 'static'] });
  });

  it('reads every documented option', () => {
    const o = parseCliOptions(['--scenario', 'x.yaml', '--policy', 'kcl3-variance', '--duration', '2m', '--time-scale', '12.5', '--port', '0', '--json', '--no-dashboard']);
    expect(o).toMatchObject({ scenario: 'x.yaml', policy: 'kcl3-variance', durationSec: 120, timeScale: 12.5, port: 0, json: true, dashboard: false });
  });

  it.each([
    ['90', 90],
    ['90s', 90],
    ['1.5m', 90],
    ['2m30s', 150],
  ])('reads the duration %s as %d seconds', (text, seconds) => {
    expect(parseDurationSec(text)).toBe(seconds);
  });

  it.each([
    [['--port', '70000'], '--port must be an integer between 0 and 65535 (given "70000")'],
    [['--port', 'abc'], '--port must be an integer between 0 and 65535 (given "abc")'],
    [['--time-scale', '0'], '--time-scale must be a number between 0.01 and 10000 (given "0")'],
    [['--duration', 'soon'], '--duration must be a time between 1s and 24h such as 90, 90s or 2m (given "soon")'],
    [['--duration', '0'], '--duration must be a time between 1s and 24h such as 90, 90s or 2m (given "0")'],
  ])('rejects %j with a message quoting the value and the range', (argv, message) => {
    expect(() => parseCliOptions(argv)).toThrow(message);
  });

  it.each([
    [['--duration', '-5'], '--duration must be a time between 1s and 24h such as 90, 90s or 2m (given "-5")'],
    [['--port', '-1'], '--port must be an integer between 0 and 65535 (given "-1")'],
    [['--scenaro', 'x'], 'argument must be one of --scenario, --policy, --duration, --time-scale, --port, --json, --no-dashboard, --out, --help (given "--scenaro")'],
    [['--scenario'], '--scenario must be followed by a value (given nothing)'],
    [['--scenario', '--json'], '--scenario must be followed by a value (given nothing)'],
    [['--json=yes'], '--json must be given without a value (given "yes")'],
    [['quick-start'], 'argument must be one of --scenario'],
  ])('rejects %j as a bad option in one line naming the value and what is allowed', (argv, message) => {
    let caught: unknown;
    try {
      parseCliOptions(argv);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(LocalRunError);
    expect((caught as LocalRunError).code).toBe('bad-option');
    expect((caught as LocalRunError).message).toContain(message);
    expect((caught as LocalRunError).message).not.toContain('\n');
  });

  it('takes a value after = and -h for help', () => {
    expect(parseCliOptions(['--duration=90s', '-h'])).toMatchObject({ durationSec: 90, help: true });
  });
});
