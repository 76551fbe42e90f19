// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Everything in core/ must be deterministic and free of I/O: time, randomness and the outside world come in through ports. */
const impureGlobals = [
  { name: 'process', message: 'core/ is pure: pass configuration in, do not read process.*' },
  { name: 'setTimeout', message: 'core/ is pure: time comes through the Clock port' },
  { name: 'setInterval', message: 'core/ is pure: time comes through the Clock port' },
  { name: 'fetch', message: 'core/ is pure: I/O belongs in adapters/' },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', 'out/**', 'dist/**', 'coverage/**', 'artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['core/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', ...impureGlobals],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'core/ is pure: use the Clock port (view.nowMs)' },
        { object: 'Math', property: 'random', message: 'core/ is pure: use the seeded Random port' },
        { object: 'crypto', property: 'randomUUID', message: 'core/ is pure: ids come from inputs' },
        { object: 'performance', property: 'now', message: 'core/ is pure: use the Clock port' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'core/ is pure: new Date() reads the wall clock' },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@aws-sdk/*', '@smithy/*', '@middy/*', '@aws-lambda-powertools/*', 'aws-cdk-lib', 'aws-cdk-lib/*'], message: 'core/ is pure: SDKs belong in adapters/' },
            { group: ['node:*', 'fs', 'fs/*', 'child_process', 'http', 'https', 'net', 'os', 'crypto', 'worker_threads', 'timers', 'timers/*'], message: 'core/ is pure: I/O and platform modules belong in adapters/' },
            { group: ['../adapters/*', '../../adapters/*', '../functions/*', '../../functions/*', '../local/*', '../sim/*'], message: 'core/ must not depend on outer layers' },
          ],
        },
      ],
    },
  },
);
