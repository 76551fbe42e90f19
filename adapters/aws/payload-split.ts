import type { WorkerRequest } from '../../core/ports/worker-invoker.port.js';

export type SplitResult =
  | { readonly ok: true; readonly requests: readonly WorkerRequest[] }
  | { readonly ok: false; readonly sequenceNumber: string; readonly bytes: number };

/**
 * Splits a request's records into as few consecutive requests as fit `limitBytes` each, measured as the
 * UTF-8 length of the JSON body exactly as it is sent. Records keep their order and each part keeps every
 * other field of the request. Fails (naming the record) when one record alone with the envelope is too big.
 */
export function splitToFit(request: WorkerRequest, limitBytes: number): SplitResult {
  const envelope = Buffer.byteLength(JSON.stringify({ ...request, records: [] }));
  const parts: WorkerRequest[] = [];
  let current: WorkerRequest['records'][number][] = [];
  let size = envelope;
  for (const record of request.records) {
    const bytes = Buffer.byteLength(JSON.stringify(record));
    if (envelope + bytes > limitBytes) return { ok: false, sequenceNumber: record.sequenceNumber, bytes: envelope + bytes };
    // A comma separates this record from the previous one in the same part.
    const added = bytes + (current.length > 0 ? 1 : 0);
    if (size + added > limitBytes) {
      parts.push({ ...request, records: current });
      current = [];
      size = envelope + bytes;
    } else {
      size += added;
    }
    current.push(record);
  }
  if (current.length > 0 || parts.length === 0) parts.push({ ...request, records: current });
  return { ok: true, requests: parts };
}
