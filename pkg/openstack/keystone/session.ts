/**
 * A Keystone v3 session: one token reused until shortly before it expires, one in-flight authentication
 * shared by all concurrent callers, and invalidation after a 401 so the next caller re-authenticates.
 */
import type { Logger } from '../../log/logger';
import { type CloudCredentials, secretValues } from '../config/credentials';
import { OpenStackError, UnavailableError } from '../errors';
import { executeRequest, type Sleep } from '../http/executor';
import type { RetryPolicy } from '../http/retry-policy';
import type { HttpTransport } from '../http/transport';
import type { OpenStackMetrics } from '../metrics';
import { buildAuthRequest, tokensUrl } from './auth-request';
import { type CatalogService, type EndpointQuery, selectEndpoint } from './catalog';

export interface TokenInfo {
  /** The `X-Subject-Token` value. Never log it. */
  token: string;
  expiresAt: number;
  projectId?: string;
  userId?: string;
  catalog: CatalogService[];
}

export interface KeystoneSessionOptions {
  credentials: CloudCredentials;
  transport: HttpTransport;
  logger: Logger;
  metrics: OpenStackMetrics;
  retry: RetryPolicy;
  sleep: Sleep;
  /** Re-authenticate this long before `expires_at` (default 2 minutes, at most half the token's life). */
  expiryMarginMs?: number;
  now?: () => number;
}

interface TokenResponseBody {
  token?: {
    expires_at?: string;
    issued_at?: string;
    project?: { id?: string };
    user?: { id?: string };
    catalog?: CatalogService[];
  };
}

const DEFAULT_EXPIRY_MARGIN_MS = 120_000;

export class KeystoneSession {
  private current?: TokenInfo;
  private inFlight?: Promise<TokenInfo>;
  private readonly now: () => number;
  /** Number of token requests sent; visible for diagnostics and tests. */
  authentications = 0;

  constructor(private readonly options: KeystoneSessionOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Masks this session's secrets (credentials and tokens) in any text bound for a log or an error. */
  readonly scrub = (text: string): string => {
    let out = text;
    const secrets = [...secretValues(this.options.credentials), ...this.knownTokens];
    for (const secret of secrets) {
      if (secret.length < 4) continue;
      // Also the JSON-escaped form, as a quoted request body would show it.
      for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1)])) {
        if (out.includes(form)) out = out.split(form).join('***');
      }
    }
    return out;
  };

  private readonly knownTokens = new Set<string>();

  /** A valid token, authenticating if needed; concurrent callers share one authentication. */
  async token(): Promise<TokenInfo> {
    if (this.current && this.isFresh(this.current)) return this.current;
    if (!this.inFlight) {
      this.inFlight = this.authenticate().finally(() => {
        this.inFlight = undefined;
      });
    }
    return this.inFlight;
  }

  /**
   * Drops `token` after the cloud refused it. A caller holding an older token than the current one does
   * nothing, so 50 requests failing with the same token cause one re-authentication, not 50.
   */
  invalidate(token: string): void {
    if (this.current?.token === token) this.current = undefined;
  }

  async endpoint(query: Omit<EndpointQuery, 'region' | 'interface'>): Promise<string> {
    const info = await this.token();
    return selectEndpoint(info.catalog, {
      ...query,
      region: this.options.credentials.region,
      interface: this.options.credentials.endpointType,
    });
  }

  async projectId(): Promise<string> {
    const info = await this.token();
    if (!info.projectId) {
      throw new OpenStackError('the Keystone token is not project-scoped; set "tenant-id" or "tenant-name"', {
        service: 'identity',
      });
    }
    return info.projectId;
  }

  private isFresh(info: TokenInfo): boolean {
    return this.now() < info.expiresAt - this.marginFor(info);
  }

  private marginFor(info: TokenInfo & { issuedAt?: number }): number {
    const margin = this.options.expiryMarginMs ?? DEFAULT_EXPIRY_MARGIN_MS;
    const lifetime = info.issuedAt !== undefined ? info.expiresAt - info.issuedAt : Number.POSITIVE_INFINITY;
    return Math.min(margin, lifetime / 2);
  }

  private async authenticate(): Promise<TokenInfo> {
    const { credentials, transport, logger, metrics } = this.options;
    const url = tokensUrl(credentials.authUrl ?? '');
    const body = JSON.stringify(buildAuthRequest(credentials));
    const path = new URL(url).pathname;
    const started = Date.now();
    this.authentications += 1;
    let failed = true;
    try {
      const response = await executeRequest(
        {
          service: 'identity',
          method: 'POST',
          path,
          // Creating a token has no side effect worth protecting; repeating it after a 503 is safe.
          idempotent: true,
          retry: this.options.retry,
          logger,
          sleep: this.options.sleep,
          scrub: this.scrub,
        },
        () => transport.send({ method: 'POST', url, headers: { Accept: 'application/json' }, body }),
      );
      const token = response.headers['x-subject-token'];
      let parsed: TokenResponseBody;
      try {
        parsed = JSON.parse(response.body) as TokenResponseBody;
      } catch {
        throw new UnavailableError(`identity: POST ${path} returned an unreadable token body`, {
          service: 'identity',
          status: response.status,
          requestId: response.requestId,
        });
      }
      if (!token || !parsed.token?.expires_at) {
        throw new UnavailableError(`identity: POST ${path} returned no X-Subject-Token or expires_at`, {
          service: 'identity',
          status: response.status,
          requestId: response.requestId,
        });
      }
      this.knownTokens.add(token);
      if (this.knownTokens.size > 8) this.knownTokens.delete(this.knownTokens.values().next().value as string);
      const expiresAt = Date.parse(parsed.token.expires_at);
      const issuedAt = parsed.token.issued_at ? Date.parse(parsed.token.issued_at) : Number.NaN;
      // Lifetime measured on the cloud's clock, applied to ours: immune to clock skew between the two.
      const lifetime = Number.isNaN(issuedAt) || Number.isNaN(expiresAt) ? undefined : expiresAt - issuedAt;
      const receivedAt = this.now();
      const info: TokenInfo & { issuedAt?: number } = {
        token,
        expiresAt:
          lifetime !== undefined ? receivedAt + lifetime : Number.isNaN(expiresAt) ? receivedAt + 3_600_000 : expiresAt,
        issuedAt: lifetime !== undefined ? receivedAt : undefined,
        projectId: parsed.token.project?.id,
        userId: parsed.token.user?.id,
        catalog: parsed.token.catalog ?? [],
      };
      this.current = info;
      failed = false;
      logger.debug(2, 'authenticated with Keystone', {
        authUrl: credentials.authUrl,
        projectId: info.projectId,
        expiresAt: parsed.token.expires_at,
        requestId: response.requestId,
      });
      return info;
    } finally {
      metrics.observe('identity_token_create', (Date.now() - started) / 1000, failed);
    }
  }
}
