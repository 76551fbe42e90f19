import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../core/config/index.js';

describe('the baselines configuration', () => {
  it('defaults to the documented figures', () => {
    const { baselines } = parseConfig({});
    expect(baselines.kcl3Variance).toMatchObject({ varianceThresholdPercent: 10, dampeningPercent: 60, balanceEveryNthTick: 3, leaseThroughputEmaAlpha: 0.5, workerUtilizationEmaAlpha: 0.5 });
    expect(baselines.alarmAutoscaler).toMatchObject({ scaleUpThreshold: 0.75, scaleUpPoints: 5, scaleUpWindowPoints: 5, scaleDownThreshold: 0.25, scaleDownPoints: 57, scaleDownWindowPoints: 60, maxUpdatesPerWindow: 10 });
    expect(baselines.alarmAutoscaler.periodMs).toBeUndefined(); // derived: 5 ticks
    expect(baselines.reactiveThreshold).toMatchObject({ maxMovesPerTick: 1, overloadTicks: 2, overloadUtilization: 0.85, weightBasis: 'bytes' });
  });

  it.each([
    [{ kcl3Variance: { dampeningPercent: 120 } }, 'config.baselines.kcl3Variance.dampeningPercent must be a number at most 100 (given 120)'],
    [{ alarmAutoscaler: { scaleDownPoints: 61 } }, 'config.baselines.alarmAutoscaler.scaleDownPoints must be at most scaleDownWindowPoints (60) (given 61)'],
    [{ alarmAutoscaler: { scaleDownThreshold: 0.8 } }, 'config.baselines.alarmAutoscaler.scaleDownThreshold must be less than scaleUpThreshold (0.75) (given 0.8)'],
    [{ reactiveThreshold: { weightBasis: 'cpu' } }, 'config.baselines.reactiveThreshold.weightBasis must be one of "bytes", "records" (given "cpu")'],
  ])('rejects %j with a message quoting the value and the range', (baselines, message) => {
    expect(() => parseConfig({ baselines })).toThrow(message);
  });
});
