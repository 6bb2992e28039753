/**
 * Keystone v3 as the client sees it: `POST /v3/auth/tokens` with password (user by name+domain or ID),
 * application credential (ID, or name+user), token and trust; `X-Subject-Token`; a catalog of the
 * simulator's endpoints; token expiry (api-ref identity v3 "Password authentication with scoped authorization").
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { ApiFault, Router, identityErrorBody, type RequestContext } from './http-kit';

export interface SimUser {
  id: string;
  name: string;
  domainId: string;
  password: string;
}

export interface SimProject {
  id: string;
  name: string;
  domainId: string;
}

export interface SimDomain {
  id: string;
  name: string;
}

export interface SimApplicationCredential {
  id: string;
  name: string;
  secret: string;
  userId: string;
  projectId: string;
}

export interface SimTrust {
  id: string;
  trustorUserId: string;
  trusteeUserId: string;
  projectId: string;
}

export interface TokenInfo {
  id: string;
  userId: string;
  projectId?: string;
  methods: string[];
  issuedAt: Date;
  expiresAt: Date;
  trustId?: string;
  applicationCredentialId?: string;
}

export interface CatalogService {
  type: string;
  name: string;
  /** Path under the server root, `{project_id}` replaced per token. */
  path: string;
}

export interface IdentityOptions {
  regions: string[];
  interfaces: string[];
  tokenLifetimeSeconds: number;
  services: CatalogService[];
}

const AUTH_REQUIRED = 'The request you have made requires authentication.';

export class IdentityService {
  readonly domain: SimDomain = { id: 'default', name: 'Default' };
  readonly user: SimUser;
  readonly trustee: SimUser;
  readonly project: SimProject;
  readonly applicationCredential: SimApplicationCredential;
  readonly trust: SimTrust;
  private readonly tokens = new Map<string, TokenInfo>();
  private tokenLifetimeSeconds: number;

  constructor(private readonly options: IdentityOptions) {
    this.tokenLifetimeSeconds = options.tokenLifetimeSeconds;
    this.user = { id: hexId(), name: 'demo', domainId: this.domain.id, password: `sim-${randomBytes(6).toString('hex')}` };
    this.trustee = { id: hexId(), name: 'trustee', domainId: this.domain.id, password: `sim-${randomBytes(6).toString('hex')}` };
    this.project = { id: hexId(), name: 'demo', domainId: this.domain.id };
    this.applicationCredential = {
      id: hexId(),
      name: 'csi',
      secret: randomBytes(16).toString('hex'),
      userId: this.user.id,
      projectId: this.project.id,
    };
    this.trust = { id: hexId(), trustorUserId: this.user.id, trusteeUserId: this.trustee.id, projectId: this.project.id };
  }

  setTokenLifetime(seconds: number): void {
    this.tokenLifetimeSeconds = seconds;
  }

  expireAllTokens(): void {
    const past = new Date(Date.now() - 1000);
    for (const token of this.tokens.values()) token.expiresAt = past;
  }

  /** The token of a request to a service; 401 (keystonemiddleware body) when missing, unknown or expired. */
  validate(ctx: RequestContext): TokenInfo {
    const header = ctx.headers['x-auth-token'];
    const id = typeof header === 'string' ? header : undefined;
    const token = id ? this.tokens.get(id) : undefined;
    if (!token || token.expiresAt.getTime() <= Date.now()) {
      throw new ApiFault(
        401,
        AUTH_REQUIRED,
        { 'WWW-Authenticate': `Keystone uri="${ctx.baseUrl}/identity"` },
        identityErrorBody(401, 'Unauthorized', AUTH_REQUIRED),
      );
    }
    return token;
  }

  register(router: Router): void {
    router.add('GET', '/identity', (ctx) => ({ status: 300, body: { versions: { values: [this.versionDoc(ctx)] } } }));
    router.add('GET', '/identity/v3', (ctx) => ({ status: 200, body: { version: this.versionDoc(ctx) } }));
    router.add('POST', '/identity/v3/auth/tokens', (ctx) => this.issue(ctx));
    router.add('GET', '/identity/v3/auth/tokens', (ctx) => this.show(ctx));
    router.add('HEAD', '/identity/v3/auth/tokens', (ctx) => ({ status: this.show(ctx).status }));
    router.add('DELETE', '/identity/v3/auth/tokens', (ctx) => {
      this.validate(ctx);
      const subject = this.subjectToken(ctx);
      this.tokens.delete(subject.id);
      return { status: 204 };
    });
  }

  private versionDoc(ctx: RequestContext): Record<string, unknown> {
    return {
      id: 'v3.14',
      status: 'stable',
      updated: '2020-04-07T00:00:00Z',
      links: [{ rel: 'self', href: `${ctx.baseUrl}/identity/v3/` }],
      'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' }],
    };
  }

  private subjectToken(ctx: RequestContext): TokenInfo {
    const header = ctx.headers['x-subject-token'];
    const token = typeof header === 'string' ? this.tokens.get(header) : undefined;
    if (!token || token.expiresAt.getTime() <= Date.now()) {
      throw new ApiFault(404, 'Could not find token.', {}, identityErrorBody(404, 'Not Found', 'Could not find token.'));
    }
    return token;
  }

  private show(ctx: RequestContext) {
    this.validate(ctx);
    const token = this.subjectToken(ctx);
    return { status: 200, body: this.tokenBody(token, ctx.baseUrl), headers: { 'X-Subject-Token': token.id } };
  }

  private issue(ctx: RequestContext) {
    const auth = asObject(asObject(ctx.body, 'body').auth, 'auth');
    const identity = asObject(auth.identity, 'identity');
    const methods = identity.methods;
    if (!Array.isArray(methods) || methods.length === 0 || !methods.every((m) => typeof m === 'string')) {
      throw identityFault(400, 'Bad Request', "Invalid input for field 'identity/methods'.");
    }
    const method = methods[0] as string;
    let userId: string;
    let projectId: string | undefined;
    let trustId: string | undefined;
    let applicationCredentialId: string | undefined;
    const previousMethods: string[] = [];

    switch (method) {
      case 'password':
        userId = this.passwordUser(asObject(identity.password, 'password'));
        break;
      case 'token': {
        const id = asObject(identity.token, 'token').id;
        const previous = typeof id === 'string' ? this.tokens.get(id) : undefined;
        if (!previous || previous.expiresAt.getTime() <= Date.now()) throw unauthorized();
        userId = previous.userId;
        projectId = previous.projectId;
        trustId = previous.trustId;
        previousMethods.push(...previous.methods);
        break;
      }
      case 'application_credential': {
        const cred = this.applicationCredentialFor(asObject(identity.application_credential, 'application_credential'));
        if (auth.scope !== undefined) {
          throw identityFault(401, 'Unauthorized', 'Application credentials cannot request a scope.');
        }
        userId = cred.userId;
        projectId = cred.projectId;
        applicationCredentialId = cred.id;
        break;
      }
      default:
        throw identityFault(401, 'Unauthorized', `Attempted to authenticate with an unsupported method.`);
    }

    if (auth.scope !== undefined && auth.scope !== 'unscoped') {
      const scope = asObject(auth.scope, 'scope');
      if (scope['OS-TRUST:trust'] !== undefined) {
        const trustRef = asObject(scope['OS-TRUST:trust'], 'OS-TRUST:trust');
        if (trustRef.id !== this.trust.id) throw identityFault(404, 'Not Found', `Could not find trust: ${String(trustRef.id)}.`);
        if (userId !== this.trust.trusteeUserId) {
          throw identityFault(403, 'Forbidden', 'User is not a trustee.');
        }
        trustId = this.trust.id;
        projectId = this.trust.projectId;
      } else if (scope.project !== undefined) {
        projectId = this.scopedProject(asObject(scope.project, 'project')).id;
        if (userId !== this.user.id) {
          throw identityFault(401, 'Unauthorized', `User ${userId} has no access to project ${projectId}`);
        }
      } else {
        throw identityFault(400, 'Bad Request', 'Only project and trust scopes are simulated.');
      }
    }

    const now = new Date();
    const token: TokenInfo = {
      id: `gAAAAA${randomBytes(24).toString('base64url')}`,
      userId,
      projectId,
      methods: Array.from(new Set([...(methods as string[]), ...previousMethods])),
      issuedAt: now,
      expiresAt: new Date(now.getTime() + this.tokenLifetimeSeconds * 1000),
      trustId,
      applicationCredentialId,
    };
    this.tokens.set(token.id, token);
    return { status: 201, body: this.tokenBody(token, ctx.baseUrl), headers: { 'X-Subject-Token': token.id } };
  }

  private passwordUser(password: Record<string, unknown>): string {
    const userRef = asObject(password.user, 'user');
    const user = this.findUser(userRef);
    if (!user || userRef.password !== user.password) throw unauthorized();
    return user.id;
  }

  private findUser(ref: Record<string, unknown>): SimUser | undefined {
    const users = [this.user, this.trustee];
    if (typeof ref.id === 'string') return users.find((u) => u.id === ref.id);
    if (typeof ref.name === 'string') {
      const domain = this.domainOf(ref.domain);
      return users.find((u) => u.name === ref.name && u.domainId === domain.id);
    }
    throw identityFault(400, 'Bad Request', 'Expecting to find id or name in user.');
  }

  private domainOf(value: unknown): SimDomain {
    if (value === undefined) throw identityFault(400, 'Bad Request', 'Expecting to find domain in user.');
    const ref = asObject(value, 'domain');
    if (ref.id === this.domain.id || ref.name === this.domain.name) return this.domain;
    throw unauthorized();
  }

  private applicationCredentialFor(ref: Record<string, unknown>): SimApplicationCredential {
    const cred = this.applicationCredential;
    if (typeof ref.id === 'string') {
      if (ref.id !== cred.id) throw unauthorized();
    } else if (typeof ref.name === 'string') {
      if (ref.user === undefined) {
        throw identityFault(400, 'Bad Request', 'Could not find user for application credential: a user is required with a name.');
      }
      const user = this.findUser(asObject(ref.user, 'user'));
      if (ref.name !== cred.name || user?.id !== cred.userId) throw unauthorized();
    } else {
      throw identityFault(400, 'Bad Request', 'Expecting to find id or name in application_credential.');
    }
    if (ref.secret !== cred.secret) throw unauthorized();
    return cred;
  }

  private scopedProject(ref: Record<string, unknown>): SimProject {
    const p = this.project;
    if (typeof ref.id === 'string') {
      if (ref.id === p.id) return p;
    } else if (typeof ref.name === 'string') {
      if (ref.domain === undefined) throw identityFault(400, 'Bad Request', 'Expecting to find domain in project.');
      const domainRef = asObject(ref.domain, 'domain');
      if (ref.name === p.name && (domainRef.id === this.domain.id || domainRef.name === this.domain.name)) return p;
    }
    throw unauthorized();
  }

  private tokenBody(token: TokenInfo, baseUrl: string): Record<string, unknown> {
    const user = token.userId === this.user.id ? this.user : this.trustee;
    const body: Record<string, unknown> = {
      methods: token.methods,
      user: { id: user.id, name: user.name, domain: { ...this.domain }, password_expires_at: null },
      audit_ids: [randomBytes(16).toString('base64url').slice(0, 22)],
      issued_at: keystoneTime(token.issuedAt),
      expires_at: keystoneTime(token.expiresAt),
    };
    if (token.projectId) {
      body.project = { id: this.project.id, name: this.project.name, domain: { ...this.domain } };
      body.is_domain = false;
      body.roles = [
        { id: 'r-member', name: 'member' },
        { id: 'r-reader', name: 'reader' },
      ];
      body.catalog = this.catalog(baseUrl, token.projectId);
    }
    if (token.trustId) {
      body['OS-TRUST:trust'] = {
        id: this.trust.id,
        impersonation: false,
        trustee_user: { id: this.trust.trusteeUserId },
        trustor_user: { id: this.trust.trustorUserId },
      };
    }
    if (token.applicationCredentialId) {
      body.application_credential = { id: this.applicationCredential.id, name: this.applicationCredential.name, restricted: true };
    }
    return { token: body };
  }

  private catalog(baseUrl: string, projectId: string): Record<string, unknown>[] {
    const services: CatalogService[] = [
      { type: 'identity', name: 'keystone', path: '/identity' },
      ...this.options.services,
    ];
    return services.map((service, index) => ({
      id: `svc${index}`,
      type: service.type,
      name: service.name,
      endpoints: this.options.regions.flatMap((region) =>
        this.options.interfaces.map((iface) => ({
          id: `${service.type}-${region}-${iface}`,
          interface: iface,
          region,
          region_id: region,
          url: `${baseUrl}${service.path.replace('{project_id}', projectId)}`,
        })),
      ),
    }));
  }
}

function hexId(): string {
  return randomUUID().replace(/-/g, '');
}

/** Keystone's format: microseconds and a `Z`, e.g. `2015-08-27T09:49:58.000000Z`. */
function keystoneTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function asObject(value: unknown, name: string): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw identityFault(400, 'Bad Request', `Invalid input for field '${name}': expected an object.`);
  }
  return value as Record<string, unknown>;
}

function identityFault(status: number, title: string, message: string): ApiFault {
  return new ApiFault(status, message, {}, identityErrorBody(status, title, message));
}

function unauthorized(): ApiFault {
  return identityFault(401, 'Unauthorized', AUTH_REQUIRED);
}
