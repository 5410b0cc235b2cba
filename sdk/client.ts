/**
 * CrmClient (a tenant's API key) and CrmAdminClient (the operator's admin token).
 *
 *   const crm = new CrmClient({ apiKey: process.env.CRM_API_KEY, baseURL: 'http://127.0.0.1:3000' });
 *   for await (const customer of crm.customers.list()) console.log(customer.name);
 */
import axios, { type AxiosInstance } from 'axios';
import { CrmError } from './core/errors.ts';
import type { ClientHooks } from './core/hooks.ts';
import { DEFAULT_RETRY_POLICY, sleep } from './core/retry.ts';
import { defaultTransportConfig, Transport, type ValidationMode } from './core/transport.ts';
import { Customers } from './resources/customers.ts';
import { Export } from './resources/export.ts';
import { Invoices } from './resources/invoices.ts';
import { Jobs, ScheduleResource } from './resources/jobs.ts';
import { AuditEvents, MeResource, Reports, Search } from './resources/misc.ts';
import { Quotes } from './resources/quotes.ts';
import { Tenants } from './resources/tenants.ts';

export const DEFAULT_BASE_URL = 'http://127.0.0.1:3000';

export interface CommonClientOptions {
  /** Default: `CRM_BASE_URL`, else http://127.0.0.1:3000. */
  baseURL?: string;
  /** Per-attempt timeout in ms. Default 60 000. */
  timeout?: number;
  /** Retries after the first attempt, for connection errors, timeouts, 408, 429 and 5xx. Default 2. */
  maxRetries?: number;
  /** Response validation against the spec's schemas. Default 'strict'. */
  validation?: ValidationMode;
  hooks?: ClientHooks;
  /** Headers added to every request. */
  defaultHeaders?: Record<string, string>;
  /** Backoff tuning: first delay and ceiling in ms (before jitter); longest Retry-After honoured. */
  retry?: { initialDelayMs?: number; maxDelayMs?: number; maxRetryAfterMs?: number };
  /** Your own axios instance (proxies, agents, interceptors). */
  axios?: AxiosInstance;
  /** Replaces the backoff sleep; for tests that must not really wait. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface CrmClientOptions extends CommonClientOptions {
  /** A tenant API key (`tpk_…`). Default: `CRM_API_KEY`. */
  apiKey?: string | undefined;
}

export interface CrmAdminClientOptions extends CommonClientOptions {
  /** The operator's bootstrap secret. Default: `CRM_ADMIN_TOKEN`. */
  adminToken?: string | undefined;
}

function makeTransport(options: CommonClientOptions, credentials: Record<string, string>): Transport {
  const { maxRetries: _ignored, ...retryDefaults } = DEFAULT_RETRY_POLICY;
  const maxRetries = options.maxRetries ?? DEFAULT_RETRY_POLICY.maxRetries;
  if (!Number.isInteger(maxRetries) || maxRetries < 0)
    throw new CrmError(`maxRetries must be a non-negative integer, got ${maxRetries}`);
  return new Transport(
    defaultTransportConfig({
      baseURL: options.baseURL ?? process.env.CRM_BASE_URL ?? DEFAULT_BASE_URL,
      credentials,
      timeout: options.timeout ?? 60_000,
      maxRetries,
      validation: options.validation ?? 'strict',
      hooks: options.hooks ?? {},
      defaultHeaders: options.defaultHeaders ?? {},
      retry: { ...retryDefaults, ...options.retry },
      sleep: options.sleep ?? sleep,
      axios: options.axios ?? axios.create(),
    }),
  );
}

export class CrmClient {
  readonly customers: Customers;
  readonly jobs: Jobs;
  readonly schedule: ScheduleResource;
  readonly quotes: Quotes;
  readonly invoices: Invoices;
  readonly search: Search;
  readonly reports: Reports;
  readonly export: Export;
  readonly auditEvents: AuditEvents;
  readonly me: MeResource;
  /** The shared request engine (advanced use). */
  readonly transport: Transport;
  private readonly options: CrmClientOptions;

  constructor(options: CrmClientOptions = {}) {
    this.options = options;
    const apiKey = options.apiKey ?? process.env.CRM_API_KEY;
    if (!apiKey) throw new CrmError('CrmClient: apiKey is required (pass { apiKey } or set CRM_API_KEY)');
    this.transport = makeTransport(options, { Authorization: `Bearer ${apiKey}` });
    this.customers = new Customers(this.transport);
    this.jobs = new Jobs(this.transport);
    this.schedule = new ScheduleResource(this.transport);
    this.quotes = new Quotes(this.transport);
    this.invoices = new Invoices(this.transport);
    this.search = new Search(this.transport);
    this.reports = new Reports(this.transport);
    this.export = new Export(this.transport);
    this.auditEvents = new AuditEvents(this.transport);
    this.me = new MeResource(this.transport);
  }

  get baseURL(): string {
    return this.transport.config.baseURL;
  }

  /** A new client with the same settings except the ones given (e.g. a shorter timeout). */
  withOptions(overrides: CrmClientOptions): CrmClient {
    return new CrmClient({ ...this.options, ...overrides, hooks: { ...this.options.hooks, ...overrides.hooks } });
  }
}

export class CrmAdminClient {
  readonly tenants: Tenants;
  readonly transport: Transport;

  constructor(options: CrmAdminClientOptions = {}) {
    const adminToken = options.adminToken ?? process.env.CRM_ADMIN_TOKEN;
    if (!adminToken)
      throw new CrmError('CrmAdminClient: adminToken is required (pass { adminToken } or set CRM_ADMIN_TOKEN)');
    this.transport = makeTransport(options, { 'X-Admin-Token': adminToken });
    this.tenants = new Tenants(this.transport);
  }
}
