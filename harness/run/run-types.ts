/** Types one run shares with the tenant pool (kept apart, so neither imports the other's module). */
import type { TenantLabel } from '../model/exchange.ts';

export interface ProvisionedTenant {
  label: TenantLabel;
  /** Authentication headers; secret. */
  headers: Record<string, string>;
  /** The tenant's id at the target, when the adapter knows it. */
  tenantId?: string;
  /** Non-secret request parts that select the tenant (`header:Host`, `path:orgId`). */
  selectors?: Readonly<Record<string, string>>;
  /** The role of the user `headers` authenticate. */
  role?: string;
  /** More users of the same tenant, each with its own (secret) headers. */
  users?: readonly { role: string; headers: Readonly<Record<string, string>> }[];
}

/** What a primary step got back: its exchange, and the status or the transport error. */
export interface StepResult {
  seq: number;
  status?: number;
  error?: string;
}
