/** What the simulator was asked: every request with its route template, for assertions on API traffic. */
import type { ServiceName } from './http-kit';

export interface RequestRecord {
  time: number;
  method: string;
  /** Path as requested (no query string). */
  path: string;
  /** Route template, e.g. `/volume/v3/{project_id}/volumes/{volume_id}`; the path when no route matched. */
  template: string;
  service: ServiceName | 'unknown';
  status: number;
  /** Microversion header the client sent, if any. */
  microversion?: string;
  /** Set when a fault rule answered instead of the API. */
  injectedFault?: string;
}

export class RequestLog {
  private records: RequestRecord[] = [];

  constructor(private readonly maxRecords = 100_000) {}

  add(record: RequestRecord): void {
    this.records.push(record);
    if (this.records.length > this.maxRecords) this.records.splice(0, this.records.length - this.maxRecords);
  }

  entries(filter?: { method?: string; template?: string; service?: ServiceName }): RequestRecord[] {
    return this.records.filter(
      (r) =>
        (!filter?.method || r.method === filter.method) &&
        (!filter?.template || r.template === filter.template) &&
        (!filter?.service || r.service === filter.service),
    );
  }

  /** Number of requests for `METHOD template` (e.g. `count('POST', '/compute/v2.1/servers/{server_id}/os-volume_attachments')`). */
  count(method: string, template: string): number {
    return this.records.filter((r) => r.method === method && r.template === template).length;
  }

  /** Counts keyed `METHOD template`. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.records) {
      const key = `${r.method} ${r.template}`;
      out[key] = (out[key] ?? 0) + 1;
    }
    return out;
  }

  clear(): void {
    this.records = [];
  }
}
