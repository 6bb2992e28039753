/** Small pieces every service client uses to build a request. */

/** An ID (or name) made safe to stand as one segment of a URL path. */
export function pathSegment(id: string): string {
  return encodeURIComponent(id);
}

/** The record without its `undefined` members, so an option left out is not sent at all. */
export function compact<T extends Record<string, unknown>>(record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Partial<T>;
}
