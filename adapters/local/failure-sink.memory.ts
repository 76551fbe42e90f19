import type { FailedRecord, FailureSink } from '../../core/ports/index.js';

/** The local failure destination: keeps dead-lettered records, with everything needed to replay them. */
export class MemoryFailureSink implements FailureSink {
  readonly records: FailedRecord[] = [];

  async send(record: FailedRecord): Promise<void> {
    this.records.push(record);
  }
}
