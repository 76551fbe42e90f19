import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for CloudWatch's GetMetricData on loopback, speaking the protocol the real SDK v3 client uses
 * (AWS JSON 1.0: POST /, `Content-Type: application/x-amz-json-1.0`,
 * `X-Amz-Target: GraniteServiceVersion20100801.GetMetricData`, timestamps as epoch seconds). It enforces the
 * rules an adapter can break (at most 500 queries, id syntax and uniqueness, whole-minute periods, a token
 * only for the request that issued it) and paginates at `MaxDatapoints`, so a test fails on a violation.
 */
export interface Datapoint {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly atMs: number;
  readonly value: number;
}

export interface RecordedCall {
  readonly queries: number;
  readonly ids: readonly string[];
  readonly startSec: number;
  readonly endSec: number;
  readonly nextToken?: string;
  readonly scanBy?: string;
  readonly maxDatapoints?: number;
  readonly periods: readonly number[];
}

export interface FakeCloudWatch {
  readonly endpoint: string;
  readonly calls: RecordedCall[];
  readonly rejected: string[];
  stop(): Promise<void>;
}

interface Query {
  Id: string;
  MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: string }[] }; Period: number; Stat: string };
}

interface Request {
  MetricDataQueries: Query[];
  StartTime: number;
  EndTime: number;
  NextToken?: string;
  ScanBy?: string;
  MaxDatapoints?: number;
}

const aggregate: Record<string, (values: number[]) => number> = {
  Sum: (v) => v.reduce((a, b) => a + b, 0),
  Maximum: (v) => Math.max(...v),
  Minimum: (v) => Math.min(...v),
  SampleCount: (v) => v.length,
  Average: (v) => v.reduce((a, b) => a + b, 0) / v.length,
};

function sameDimensions(a: Readonly<Record<string, string>>, b: { Name: string; Value: string }[]): boolean {
  return Object.keys(a).length === b.length && b.every((d) => a[d.Name] === d.Value);
}

function validate(request: Request, issuedTokens: Map<string, string>): string | undefined {
  const queries = request.MetricDataQueries;
  if (!Array.isArray(queries) || queries.length === 0 || queries.length > 500) return `MetricDataQueries must hold 1 to 500 queries (given ${queries?.length})`;
  const ids = new Set<string>();
  for (const q of queries) {
    if (!/^[a-z][a-zA-Z0-9_]*$/.test(q.Id) || q.Id.length > 255) return `invalid Id ${q.Id}`;
    if (ids.has(q.Id)) return `duplicate Id ${q.Id}`;
    ids.add(q.Id);
    const period = q.MetricStat?.Period ?? 0;
    if (!(period === 1 || period === 5 || period === 10 || period === 30 || (period >= 60 && period % 60 === 0))) return `invalid Period ${period}`;
    if (aggregate[q.MetricStat?.Stat ?? ''] === undefined) return `unsupported Stat ${q.MetricStat?.Stat}`;
  }
  if (!(request.StartTime < request.EndTime)) return `StartTime ${request.StartTime} must be before EndTime ${request.EndTime}`;
  if (request.NextToken !== undefined && issuedTokens.get(request.NextToken) !== signature(request)) return `NextToken ${request.NextToken} was not issued for this request`;
  return undefined;
}

function signature(request: Request): string {
  return JSON.stringify([request.MetricDataQueries, request.StartTime, request.EndTime, request.ScanBy, request.MaxDatapoints]);
}

export async function startFakeCloudWatch(datapoints: readonly Datapoint[]): Promise<FakeCloudWatch> {
  const calls: RecordedCall[] = [];
  const rejected: string[] = [];
  const issuedTokens = new Map<string, string>();
  const fail = (res: ServerResponse, status: number, type: string, message: string): void => {
    rejected.push(message);
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-query-error': `${type};Sender` });
    res.end(JSON.stringify({ __type: `com.amazonaws.cloudwatch#${type}`, message }));
  };
  const handle = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    if (req.method !== 'POST' || req.headers['content-type'] !== 'application/x-amz-json-1.0' || req.headers['x-amz-target'] !== 'GraniteServiceVersion20100801.GetMetricData') {
      fail(res, 400, 'UnknownOperationException', `unexpected ${req.method} ${String(req.headers['content-type'])} ${String(req.headers['x-amz-target'])}`);
      return;
    }
    const request = JSON.parse(body) as Request;
    const problem = validate(request, issuedTokens);
    if (problem !== undefined) {
      fail(res, 400, 'InvalidParameterValueException', problem);
      return;
    }
    calls.push({
      queries: request.MetricDataQueries.length,
      ids: request.MetricDataQueries.map((q) => q.Id),
      startSec: request.StartTime,
      endSec: request.EndTime,
      periods: [...new Set(request.MetricDataQueries.map((q) => q.MetricStat!.Period))],
      ...(request.NextToken === undefined ? {} : { nextToken: request.NextToken }),
      ...(request.ScanBy === undefined ? {} : { scanBy: request.ScanBy }),
      ...(request.MaxDatapoints === undefined ? {} : { maxDatapoints: request.MaxDatapoints }),
    });
    const descending = request.ScanBy !== 'TimestampAscending';
    const series = request.MetricDataQueries.map((q) => {
      const stat = q.MetricStat!;
      const periodMs = stat.Period * 1000;
      const buckets = new Map<number, number[]>();
      for (const p of datapoints) {
        if (p.namespace !== stat.Metric.Namespace || p.name !== stat.Metric.MetricName || !sameDimensions(p.dimensions, stat.Metric.Dimensions ?? [])) continue;
        if (p.atMs < request.StartTime * 1000 || p.atMs >= request.EndTime * 1000) continue;
        const at = Math.floor(p.atMs / periodMs) * periodMs;
        buckets.set(at, [...(buckets.get(at) ?? []), p.value]);
      }
      const points = [...buckets.entries()].map(([at, values]) => [at / 1000, aggregate[stat.Stat]!(values)] as const).sort((a, b) => a[0] - b[0]);
      return { id: q.Id, points: descending ? points.reverse() : points };
    });
    const flat = series.flatMap((s) => s.points.map((p) => ({ id: s.id, p })));
    const offset = request.NextToken === undefined ? 0 : Number(request.NextToken.split(':')[1]);
    const pageSize = request.MaxDatapoints ?? 100_800;
    const page = flat.slice(offset, offset + pageSize);
    const more = offset + pageSize < flat.length;
    const results = series
      .filter((s) => offset === 0 || page.some((e) => e.id === s.id))
      .map((s) => {
        const mine = page.filter((e) => e.id === s.id).map((e) => e.p);
        const remaining = flat.slice(offset + pageSize).some((e) => e.id === s.id);
        return { Id: s.id, Label: s.id, Timestamps: mine.map((p) => p[0]), Values: mine.map((p) => p[1]), StatusCode: remaining ? 'PartialData' : 'Complete' };
      });
    const answer: Record<string, unknown> = { MetricDataResults: results, Messages: [] };
    if (more) {
      const token = `page:${offset + pageSize}:${issuedTokens.size}`;
      issuedTokens.set(token, signature(request));
      answer.NextToken = token;
    }
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `req-${calls.length}` });
    res.end(JSON.stringify(answer));
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    rejected,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
