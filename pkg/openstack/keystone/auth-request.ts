/**
 * The body of Keystone v3 `POST /v3/auth/tokens` for each supported method (identity api-ref,
 * "Password authentication with scoped authorization", "Authenticating with an Application Credential",
 * "Token authentication with scoped authorization", OS-TRUST "Consuming a trust").
 */
import type { CloudCredentials } from '../config/credentials';
import { ConfigError } from '../errors';

type Json = Record<string, unknown>;

export type AuthMethod = 'password' | 'application_credential' | 'token' | 'trust';

export function authMethodOf(credentials: CloudCredentials): AuthMethod {
  if (credentials.applicationCredentialId || credentials.applicationCredentialName) return 'application_credential';
  if (credentials.trustId) return 'trust';
  if (credentials.token && !credentials.password) return 'token';
  if (credentials.password && (credentials.userId || credentials.username)) return 'password';
  if (credentials.token) return 'token';
  throw new ConfigError(
    'no usable authentication method: give a user (username or user-id) and password, an application credential, a token, or a trust',
  );
}

function domainRef(id: string | undefined, name: string | undefined): Json | undefined {
  if (id) return { id };
  if (name) return { name };
  return undefined;
}

function userRef(credentials: CloudCredentials): Json {
  if (credentials.userId) return { id: credentials.userId };
  const domain =
    domainRef(credentials.userDomainId, credentials.userDomainName) ??
    domainRef(credentials.domainId, credentials.domainName);
  if (!domain) {
    throw new ConfigError('a user given by name needs "user-domain-name" or "user-domain-id" (or "domain-name"/"domain-id")');
  }
  return { name: credentials.username, domain };
}

/** Project scope by ID, or by name within a domain; domain scope when only a domain is given. */
function scopeOf(credentials: CloudCredentials): Json | undefined {
  if (credentials.projectId) return { project: { id: credentials.projectId } };
  if (credentials.projectName) {
    const domain =
      domainRef(credentials.projectDomainId, credentials.projectDomainName) ??
      domainRef(credentials.domainId, credentials.domainName) ??
      domainRef(credentials.userDomainId, credentials.userDomainName);
    if (!domain) {
      throw new ConfigError('a project given by name ("tenant-name") needs "tenant-domain-name" or "tenant-domain-id"');
    }
    return { project: { name: credentials.projectName, domain } };
  }
  const domain = domainRef(credentials.domainId, credentials.domainName);
  return domain ? { domain } : undefined;
}

export function buildAuthRequest(credentials: CloudCredentials): Json {
  const method = authMethodOf(credentials);
  switch (method) {
    case 'application_credential': {
      const secret = credentials.applicationCredentialSecret;
      const applicationCredential: Json = credentials.applicationCredentialId
        ? { id: credentials.applicationCredentialId, secret }
        : { name: credentials.applicationCredentialName, user: userRef(credentials), secret };
      // An application credential carries its own project scope; Keystone rejects an explicit one.
      return {
        auth: { identity: { methods: ['application_credential'], application_credential: applicationCredential } },
      };
    }
    case 'trust': {
      const user: Json = credentials.trusteeId
        ? { id: credentials.trusteeId }
        : credentials.userId
          ? { id: credentials.userId }
          : userRef(credentials);
      user.password = credentials.trusteePassword ?? credentials.password;
      return {
        auth: {
          identity: { methods: ['password'], password: { user } },
          scope: { 'OS-TRUST:trust': { id: credentials.trustId } },
        },
      };
    }
    case 'token': {
      const scope = scopeOf(credentials);
      return {
        auth: {
          identity: { methods: ['token'], token: { id: credentials.token } },
          ...(scope ? { scope } : {}),
        },
      };
    }
    case 'password': {
      const user = { ...userRef(credentials), password: credentials.password };
      const scope = scopeOf(credentials);
      return {
        auth: {
          identity: { methods: ['password'], password: { user } },
          ...(scope ? { scope } : {}),
        },
      };
    }
  }
}

/** `.../v3/auth/tokens` from an auth URL given with or without the `/v3` suffix. */
export function tokensUrl(authUrl: string): string {
  let base = authUrl.replace(/\/+$/, '');
  if (!/\/v3$/.test(base)) {
    if (/\/v2\.0$/.test(base)) base = base.replace(/\/v2\.0$/, '');
    base = `${base}/v3`;
  }
  return `${base}/auth/tokens`;
}
