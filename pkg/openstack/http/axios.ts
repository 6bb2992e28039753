/**
 * axios, loaded so that it does not probe for fetch. When its module loads, axios reads the global
 * FormData (for its isFormData check) and its fetch adapter reads fetch, Request and Response and builds
 * test Requests; in Node those globals are lazy getters that load Node's bundled undici (~0.75 MB of
 * source, 1–3 MiB of RSS measured), which a plugin never uses: every request goes through axios's http
 * adapter (`adapter: 'http'`, transport.ts), and no request body is a FormData. The globals are hidden
 * only while axios's module runs and put back as they were right after.
 */
import type * as Axios from 'axios';

const FETCH_GLOBALS = ['fetch', 'Request', 'Response', 'FormData'] as const;

function withoutFetchGlobals<T>(load: () => T): T {
  const saved = FETCH_GLOBALS.map((name) => [name, Object.getOwnPropertyDescriptor(globalThis, name)] as const);
  for (const [name, descriptor] of saved) {
    if (descriptor?.configurable) Object.defineProperty(globalThis, name, { value: undefined, configurable: true, writable: true });
  }
  try {
    return load();
  } finally {
    for (const [name, descriptor] of saved) {
      if (descriptor?.configurable) Object.defineProperty(globalThis, name, descriptor);
    }
  }
}

// A synchronous require so the globals are hidden exactly while axios's module runs (an import is hoisted).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const loaded = withoutFetchGlobals(() => require('axios') as typeof Axios);

export const axios: Axios.AxiosStatic = loaded.default;
export type { AxiosInstance } from 'axios';
