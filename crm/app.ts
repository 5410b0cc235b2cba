/**
 * Assembles the Fastify application: routes derived from the spec, authentication, rate
 * limiting, idempotency, the response cache, audit, and problem+json for every error.
 */
import { createHash } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { AuditWriter } from './audit/audit-writer.ts';
import type { CrmComponents } from './components.ts';
import type { Database } from './db/database.ts';
import { BadRequestError, HttpError, InternalError, MethodNotAllowedError, RouteNotFoundError } from './http/errors.ts';
import { PROBLEM_CONTENT_TYPE, toProblem } from './http/problem.ts';
import { collectRecordIds } from './http/record-ids.ts';
import { createRouteMatcher } from './http/route-matcher.ts';
import { routeSchemas } from './http/route-schemas.ts';
import { createValidatorCompiler } from './http/validator-compiler.ts';
import { createClientErrorHandler, CLIENT_ERROR_DEFAULTS } from './http/client-error-handler.ts';
import { newRequestId } from './http/request-id.ts';
import { assertWellFormedStrings, decodeUtf8Strict } from './http/strict-json.ts';
import { discardUnreadBody } from './http/unread-body.ts';
import { createHttpServer } from './http/http-server.ts';
import { assertProtocolRules } from './http/protocol-checks.ts';
import { toHttpError } from './http/error-mapping.ts';
import { Authenticator } from './tenancy/authenticator.ts';
import { KeyLock } from './tenancy/key-lock.ts';
import { insightHandlers } from './routes/insight-routes.ts';
import { billingHandlers, customerHandlers, jobHandlers } from './routes/resource-routes.ts';
import type { Handler, HandlerResult, RouteContext } from './routes/route-context.ts';
import { createTenant, getMe } from './routes/tenant-routes.ts';
import type { LoadedSpec } from './spec/load-spec.ts';
import { createApiKeyResolver } from './tenancy/api-keys.ts';
import { createAdminIdempotencyStore } from './tenancy/admin-idempotency.ts';
import { requestHash, type StoredResponse } from './tenancy/idempotency.ts';
import { IdempotencyKeyReusedError } from './tenancy/idempotency-errors.ts';
import { adminIdempotentUnit, KeyAlreadyUsed, tenantIdempotentUnit } from './tenancy/idempotent-unit.ts';
import { TokenBucketLimiter, type RateLimit } from './tenancy/rate-limiter.ts';
import { ResponseCache } from './tenancy/response-cache.ts';
import { createTenantScope, type IsolationSettings, type TenantScope } from './tenancy/tenant-scope.ts';

export const BODY_LIMIT_BYTES = 256 * 1024;

export interface CrmAppOptions {
  db: Database;
  spec: LoadedSpec;
  components: CrmComponents;
  adminToken: string;
  rateLimit: RateLimit;
  isolation: Pick<IsolationSettings, 'appFilters' | 'rls'>;
  logger: boolean;
}

export interface CrmApp {
  app: FastifyInstance;
  /** Clears in-memory state (caches, buckets, buffered audit events). */
  resetMemory(): void;
  flush(): Promise<void>;
}

const HANDLERS: Record<string, Handler> = {
  createTenant,
  getMe,
  ...customerHandlers,
  ...jobHandlers,
  ...billingHandlers,
  ...insightHandlers,
};

const CACHED_OPERATIONS = new Set(['search', 'getReportSummary']);

interface RequestState {
  operationId?: string;
  authenticated: boolean;
  recordIds: string[];
}

export class MissingHandlerError extends Error {
  override name = 'MissingHandlerError';
}

export function buildCrmApp(options: CrmAppOptions): CrmApp {
  const { db, components, spec } = options;
  const isolation: IsolationSettings = { ...options.isolation, contextLifetime: components.contextLifetime };
  const app = Fastify({
    logger: options.logger,
    bodyLimit: BODY_LIMIT_BYTES,
    requestIdHeader: false,
    genReqId: newRequestId,
    // What Node's HTTP parser refuses (unknown method, bad header bytes, oversized headers) is
    // answered as a problem too, written raw: no request object exists yet.
    clientErrorHandler: createClientErrorHandler(),
    // Node's own bare answers (no Host, an unknown Expect, CONNECT) become problems too.
    serverFactory: (handler, settings) => createHttpServer(handler, settings),
    // Errors Fastify raises before routing (a malformed URL, say) are problems too.
    frameworkErrors: (error, request, reply) => {
      const problem =
        error.statusCode && error.statusCode < 500
          ? new BadRequestError('The request is malformed.', [{ path: '/', message: 'is malformed' }])
          : new InternalError();
      sendProblem(request, reply as FastifyReply, problem);
    },
  });
  const apiKeys = createApiKeyResolver(db);
  const limiter = new TokenBucketLimiter(options.rateLimit);
  const authenticator = new Authenticator(apiKeys, limiter, options.adminToken);
  const cache = new ResponseCache(components.responseCacheKey);
  const adminIdempotency = createAdminIdempotencyStore(options.adminToken);
  const idempotencyLock = new KeyLock();
  const states = new WeakMap<FastifyRequest, RequestState>();
  const scopeForTenant = (tenantId: string): TenantScope => createTenantScope(db, isolation, () => tenantId);
  const scopeOf = (request: FastifyRequest): TenantScope =>
    createTenantScope(db, isolation, () => components.contextStore.get(request)?.tenantId ?? '');
  const audit: AuditWriter = components.createAuditWriter({ scopeForTenant });
  const allowedMethods = createRouteMatcher(spec.operations);

  const stateOf = (request: FastifyRequest): RequestState => {
    let state = states.get(request);
    if (!state) {
      state = { authenticated: false, recordIds: [] };
      states.set(request, state);
    }
    return state;
  };

  app.setValidatorCompiler(createValidatorCompiler());

  // An empty JSON body is "no body" (so action endpoints accept a bare POST); the rest is the
  // default parser with prototype-poisoning protection, over strictly decoded UTF-8, and every
  // string in the result (keys too) must be well formed: no lone surrogates.
  const defaultJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    try {
      const text = decodeUtf8Strict(typeof body === 'string' ? Buffer.from(body, 'utf8') : body);
      if (text.trim() === '') {
        done(null, undefined);
        return;
      }
      // The default parser calls back synchronously.
      let parsed: { error: Error | null; value?: unknown } = { error: null };
      defaultJson(request, text, (error, value: unknown) => (parsed = { error, value }));
      if (parsed.error) throw parsed.error;
      assertWellFormedStrings(parsed.value, text);
      done(null, parsed.value);
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.removeContentTypeParser('text/plain');

  app.addHook('onRequest', async (request, reply) => {
    reply.header('X-Request-Id', request.id);
    assertProtocolRules(request.raw);
    const operationId = (request.routeOptions.config as { operationId?: string } | undefined)?.operationId;
    if (!operationId) return; // unknown route: the not-found handler answers
    const state = stateOf(request);
    state.operationId = operationId;
    const principal = await authenticator.authenticate(request, operationId === 'createTenant' ? 'admin' : 'tenant');
    if (principal === 'admin') return;
    const context = components.resolveRequestTenant(request, principal);
    components.contextStore.set(request, context);
    state.authenticated = true;
    authenticator.charge(`tenant:${context.tenantId}`);
  });

  app.addHook('preHandler', async (request) => {
    if (stateOf(request).authenticated) components.beforeHandler(request, components.contextStore);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const state = stateOf(request);
    const tenantId = state.authenticated ? components.contextStore.get(request)?.tenantId : undefined;
    if (!tenantId) return payload;
    try {
      await audit.record({
        tenantId,
        requestId: request.id,
        method: request.method,
        route: request.routeOptions.url ?? request.url.split('?')[0] ?? '',
        status: reply.statusCode,
        // Only records the request actually read or changed: a failed request touched none, and
        // echoing a foreign id it asked for would plant that id in the caller's own log.
        recordIds: reply.statusCode < 400 ? collectRecordIds(request.params, ...state.recordIds) : [],
      });
    } catch (error) {
      request.log.error({ err: error }, 'audit write failed');
    }
    return payload;
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const problem = toHttpError(error, BODY_LIMIT_BYTES);
    if (problem instanceof InternalError) request.log.error({ err: error }, 'unhandled error');
    sendProblem(request, reply, problem);
  });

  app.setNotFoundHandler((request, reply) => {
    const methods = allowedMethods(request.url);
    sendProblem(request, reply, methods.length > 0 ? new MethodNotAllowedError(methods) : new RouteNotFoundError());
  });

  function sendProblem(request: FastifyRequest, reply: FastifyReply, error: HttpError): void {
    // Answered before the body was read (413, 415, 401 on an upload): read and drop the rest, on a
    // connection kept open meanwhile, so the client reads this answer instead of a reset.
    if (discardUnreadBody(request.raw, CLIENT_ERROR_DEFAULTS.discardLimitBytes)) reply.removeHeader('connection');
    reply
      .code(error.status)
      .headers(error.headers)
      .type(PROBLEM_CONTENT_TYPE)
      .header('X-Request-Id', request.id)
      .send(toProblem(error, request.id));
  }

  for (const op of spec.operations) {
    const handler = HANDLERS[op.operationId];
    if (!handler) throw new MissingHandlerError(`no handler for operation ${op.operationId}`);
    const schema = routeSchemas(op, (body) => components.requestBodySchema(op.operationId, body));
    app.route({
      method: op.method as 'GET',
      url: op.routePath,
      schema,
      config: { operationId: op.operationId },
      handler: async (request, reply) => {
        const result = await runOperation(op.operationId, handler, request, reply);
        if (result === undefined) return reply;
        stateOf(request).recordIds.push(...collectRecordIds(result.body, ...(result.recordIds ?? [])));
        reply.code(result.status);
        if (result.raw) return reply.type(result.raw.contentType).send(result.raw.text);
        if (result.status === 204) return reply.send();
        return reply.type('application/json; charset=utf-8').send(JSON.stringify(result.body));
      },
    });
  }

  /** Idempotency and caching around a handler. Returns undefined when it already replied. */
  async function runOperation(
    operationId: string,
    handler: Handler,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<HandlerResult | undefined> {
    const scope = scopeOf(request);
    const key = request.method === 'POST' ? request.headers['idempotency-key'] : undefined;
    if (typeof key === 'string') {
      const owner = operationId === 'createTenant' ? 'admin' : scope.tenantId;
      return idempotencyLock.run(`${owner} ${key}`, () =>
        runIdempotent(operationId, key, handler, request, scope, reply),
      );
    }
    const ctx = routeContext(request, scope);
    if (CACHED_OPERATIONS.has(operationId)) {
      const parts = { tenantId: scope.tenantId, method: request.method, url: request.url };
      const hit = cache.get(parts);
      if (hit !== undefined) return { status: 200, body: JSON.parse(hit) as unknown };
      const generation = cache.generationOf(parts.tenantId);
      const result = await handler(ctx);
      if (result.status === 200) cache.set(parts, JSON.stringify(result.body), generation);
      return result;
    }
    const result = await handler(ctx);
    if (request.method !== 'GET' && operationId !== 'createTenant') cache.invalidateTenant(scope.tenantId);
    return result;
  }

  /**
   * The Idempotency-Key protocol (`tenancy/idempotency.ts`): the handler runs in one transaction
   * that first claims the key; its response is stored in that transaction before it commits. A
   * key with a committed response replays it; with a different request it is a 422.
   */
  async function runIdempotent(
    operationId: string,
    key: string,
    handler: Handler,
    request: FastifyRequest,
    scope: TenantScope,
    reply: FastifyReply,
  ): Promise<HandlerResult | undefined> {
    const hash = requestHash({
      method: request.method,
      route: request.routeOptions.url ?? '',
      params: request.params,
      body: request.body,
    });
    const admin = operationId === 'createTenant';
    const recalled = admin ? undefined : await components.idempotency.recall?.(scope, key);
    if (recalled) return replay(recalled, hash, request, reply);
    const unit = admin
      ? adminIdempotentUnit(db, {
          claim: (sql) => adminIdempotency.claim(sql, key, hash),
          complete: (sql, response) => adminIdempotency.complete(sql, key, response),
        })
      : tenantIdempotentUnit(scope, components.idempotency, key, hash);
    const ctx = admin
      ? routeContext(request, scope, unit.handle as Database)
      : routeContext(request, unit.handle as TenantScope);
    let result: HandlerResult;
    try {
      result = await handler(ctx);
      const body = result.body === undefined ? '' : JSON.stringify(result.body);
      await unit.commit({ requestHash: hash, status: result.status, body });
    } catch (error) {
      await unit.rollback();
      if (error instanceof KeyAlreadyUsed) return replay(error.stored, hash, request, reply);
      throw error;
    } finally {
      if (!admin) cache.invalidateTenant(scope.tenantId);
    }
    return result;
  }

  /** Sends a stored response again, if it answers the same request. */
  function replay(stored: StoredResponse, hash: string, request: FastifyRequest, reply: FastifyReply): undefined {
    if (stored.requestHash !== hash) throw new IdempotencyKeyReusedError();
    reply.code(stored.status).header('Idempotent-Replayed', 'true');
    if (stored.body === '') {
      reply.send();
      return undefined;
    }
    stateOf(request).recordIds.push(...collectRecordIds(JSON.parse(stored.body) as unknown));
    reply.type('application/json; charset=utf-8').send(stored.body);
    return undefined;
  }

  function routeContext(request: FastifyRequest, scope: TenantScope, adminDb: Database = db): RouteContext {
    const query = (request.query ?? {}) as Record<string, unknown>;
    return {
      request,
      params: (request.params ?? {}) as Record<string, string>,
      query,
      body: (request.body ?? {}) as Record<string, unknown>,
      scope,
      scopeForTenant,
      components,
      admin: { db: adminDb, rateLimit: options.rateLimit },
      async page(listDescription, fetch) {
        // Cursors carry a digest of the list (operation + filters), never the filter values.
        const list = createHash('sha256').update(listDescription).digest('base64url').slice(0, 22);
        const limit = Number(query.limit ?? 20);
        let pageScope = scope;
        let after: number | null = null;
        if (typeof query.cursor === 'string') {
          const decoded = components.cursorCodec.decode(query.cursor, { tenant: scope.tenantId, list });
          after = decoded.position;
          // The next page is read for the tenant the cursor was issued to.
          pageScope = scopeForTenant(decoded.tenantId);
        }
        const page = await fetch(pageScope, { limit, after });
        const nextCursor =
          page.nextPosition === null
            ? null
            : components.cursorCodec.encode({ position: page.nextPosition, list, tenant: pageScope.tenantId });
        return { status: 200, body: { data: page.items, nextCursor } };
      },
    };
  }

  return {
    app,
    resetMemory() {
      apiKeys.clear();
      limiter.clear();
      cache.clear();
      audit.discard();
    },
    flush: () => audit.flush(),
  };
}
