import { describe, expect, it } from 'vitest';
import { shadowIdFor } from '../../../core/model/shadow.js';

describe('shadow ids', () => {
  it('are deterministic per shard, worker and kind', () => {
    expect(shadowIdFor('s1', 'w1')).toBe(shadowIdFor('s1', 'w1', 'forward'));
    expect(shadowIdFor('s1', 'w1', 'reverse')).toBe(shadowIdFor('s1', 'w1', 'reverse'));
  });

  it('tell a shard\'s forward and reverse shadows on the same worker apart, so they never share stats or a delete', () => {
    expect(shadowIdFor('s1', 'w1', 'reverse')).not.toBe(shadowIdFor('s1', 'w1', 'forward'));
  });
});
