/** Customer and note operations (the business rules); SQL lives in repositories/. */
import { ConflictError, NotFoundError } from '../http/errors.ts';
import { sqlState } from '../db/database.ts';
import type { Customer, Note } from '../domain/types.ts';
import * as customers from '../repositories/customers.ts';
import * as notes from '../repositories/notes.ts';
import type { Page } from '../repositories/rows.ts';
import type { TenantScope } from '../tenancy/tenant-scope.ts';
import { stripSeq, type ListRequest } from './paging.ts';

export interface CustomerOperations {
  /** The customer of this tenant, if any, that already uses `email` (case-insensitive). */
  findEmailOwner(
    scope: TenantScope,
    email: string,
    exceptId?: string,
  ): Promise<{ id: string; name: string } | undefined>;
  create(scope: TenantScope, input: customers.CustomerCreate): Promise<Customer>;
  get(scope: TenantScope, id: string): Promise<Customer>;
  list(scope: TenantScope, request: ListRequest & { q?: string }): Promise<Page<Customer>>;
  update(scope: TenantScope, id: string, patch: customers.CustomerPatch): Promise<Customer>;
  remove(scope: TenantScope, id: string): Promise<void>;
}

export interface NoteOperations {
  create(scope: TenantScope, customerId: string, body: string): Promise<Note>;
  get(scope: TenantScope, customerId: string, id: string): Promise<Note>;
  list(scope: TenantScope, customerId: string, request: ListRequest): Promise<Page<Note>>;
  remove(scope: TenantScope, customerId: string, id: string): Promise<void>;
}

export function emailConflict(owner: { id: string; name: string }): ConflictError {
  return new ConflictError(`A customer with this email already exists: ${owner.name} (${owner.id}).`);
}

/** Maps the unique index backstop (a concurrent insert won the race) to the same 409. */
export function rethrowUniqueEmail(error: unknown): never {
  if (sqlState(error) === '23505') throw new ConflictError('A customer with this email already exists.');
  throw error;
}

/**
 * `create` and `update` call `this.findEmailOwner`, so a variant that replaces the uniqueness
 * check (see faults/) is used by both.
 */
export function createCustomerOperations(): CustomerOperations {
  return {
    findEmailOwner: (scope, email, exceptId) => scope.run((tx) => customers.findCustomerByEmail(tx, email, exceptId)),
    async create(scope, input) {
      const owner = await this.findEmailOwner(scope, input.email);
      if (owner) throw emailConflict(owner);
      return scope.run((tx) => customers.insertCustomer(tx, tx.tenantId, input)).catch(rethrowUniqueEmail);
    },
    async get(scope, id) {
      const found = await scope.run((tx) => customers.findCustomer(tx, id));
      if (!found) throw new NotFoundError('customer');
      return found;
    },
    async list(scope, request) {
      return stripSeq(await scope.run((tx) => customers.listCustomers(tx, request)));
    },
    async update(scope, id, patch) {
      if (patch.email !== undefined) {
        const owner = await this.findEmailOwner(scope, patch.email, id);
        if (owner) throw emailConflict(owner);
      }
      const updated = await scope.run((tx) => customers.updateCustomer(tx, id, patch)).catch(rethrowUniqueEmail);
      if (!updated) throw new NotFoundError('customer');
      return updated;
    },
    async remove(scope, id) {
      await scope.run(async (tx) => {
        if (!(await customers.lockCustomer(tx, id))) throw new NotFoundError('customer');
        if ((await customers.countCustomerReferences(tx, id)) > 0) {
          throw new ConflictError('The customer still has jobs, quotes or invoices.');
        }
        await customers.deleteCustomer(tx, id);
      });
    },
  };
}

export function createNoteOperations(): NoteOperations {
  return {
    create: (scope, customerId, body) =>
      scope.run(async (tx) => {
        if (!(await customers.lockCustomer(tx, customerId))) throw new NotFoundError('customer');
        return notes.insertNote(tx, tx.tenantId, customerId, body);
      }),
    async get(scope, customerId, id) {
      const found = await scope.run((tx) => notes.findNote(tx, customerId, id));
      if (!found) throw new NotFoundError('note');
      return found;
    },
    list: (scope, customerId, request) =>
      scope.run(async (tx) => {
        if (!(await customers.findCustomer(tx, customerId))) throw new NotFoundError('customer');
        return stripSeq(await notes.listNotes(tx, customerId, request));
      }),
    async remove(scope, customerId, id) {
      if (!(await scope.run((tx) => notes.deleteNote(tx, customerId, id)))) throw new NotFoundError('note');
    },
  };
}
