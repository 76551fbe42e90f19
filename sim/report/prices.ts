/**
 * Every price the cost estimate uses, in USD, in one place. us-east-1 list prices (Kinesis Data Streams
 * provisioned mode, Lambda x86, CloudWatch) as published on the AWS pricing pages; check them before
 * quoting a figure. Free tiers are ignored.
 */
export const PRICES = {
  /** Kinesis provisioned: per open shard per hour. */
  shardHour: 0.015,
  /** Kinesis PUT payload units (25 KB each), per million. */
  putPayloadUnitsPerMillion: 0.014,
  /** Lambda compute per GB-second (x86). */
  lambdaGbSecond: 0.0000166667,
  /** Lambda requests, per million invocations. */
  lambdaRequestsPerMillion: 0.2,
  /** CloudWatch GetMetricData, per 1,000 metrics requested. */
  getMetricDataPerThousandMetrics: 0.01,
} as const;

/** Memory of the SPM function and its run time per tick, for the tick's own Lambda cost. */
export const SPM_FUNCTION = { memoryMb: 512, msPerTick: 500 } as const;
