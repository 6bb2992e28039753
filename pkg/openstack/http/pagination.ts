/** `limit`/`marker` pagination with the `<resource>_links` "next" link Cinder and Nova return. */
import type { ListOptions, Page } from '../api';

export interface Link {
  href: string;
  rel: string;
}

/** The `marker` of the "next" link; undefined at the last page. */
export function nextMarkerOf(links: Link[] | undefined): string | undefined {
  const next = links?.find((link) => link.rel === 'next');
  if (!next) return undefined;
  try {
    return new URL(next.href, 'http://placeholder').searchParams.get('marker') ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * Fetches one page, or every page when `allPages` is set. The next link is read only for its marker:
 * its host may be a name the cloud uses internally, so each page goes to our own endpoint.
 */
export async function collectPages<T>(
  options: ListOptions | undefined,
  fetchPage: (marker: string | undefined, limit: number | undefined) => Promise<{ items: T[]; links?: Link[] }>,
): Promise<Page<T>> {
  if (!options?.allPages) {
    const page = await fetchPage(options?.marker, options?.limit);
    return { items: page.items, nextMarker: nextMarkerOf(page.links) };
  }
  const items: T[] = [];
  const seen = new Set<string>();
  let marker = options.marker;
  for (;;) {
    const page = await fetchPage(marker, options.limit);
    items.push(...page.items);
    const next = nextMarkerOf(page.links);
    // A cloud that repeats a marker would loop forever; stop instead.
    if (!next || seen.has(next) || page.items.length === 0) return { items };
    seen.add(next);
    marker = next;
  }
}
