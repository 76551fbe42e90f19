import { describe, expect, it } from 'vitest';
import { AwsCallError, isTransientAwsError } from '../../adapters/aws/errors.js';
import { isTransient } from '../../core/errors.js';

const sdkError = (name: string, status: number, extra: Record<string, unknown> = {}) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status }, ...extra });

describe('transient AWS failures (retried without counting an attempt)', () => {
  it.each([
    ['throttling', sdkError('ProvisionedThroughputExceededException', 400)],
    ['a 5xx', sdkError('InternalServerError', 500)],
    ['an error the SDK marks retryable', sdkError('Whatever', 400, { $retryable: { throttling: false } })],
    ['a reset connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
  ])('%s is transient', (_what, cause) => {
    expect(isTransientAwsError(cause)).toBe(true);
    expect(isTransient(new AwsCallError('DynamoDB', 'PutItem', 'state of key k', cause))).toBe(true);
  });

  it.each([
    ['an item over 400 KB', sdkError('ValidationException', 400)],
    ['access denied', sdkError('AccessDeniedException', 400)],
    ['a lost condition', sdkError('ConditionalCheckFailedException', 400)],
  ])('%s is not', (_what, cause) => {
    expect(isTransient(new AwsCallError('DynamoDB', 'PutItem', 'state of key k', cause))).toBe(false);
  });
});
