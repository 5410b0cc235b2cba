-- Idempotency that holds across processes and crashes.
--
-- A keyed request claims its key (a row with no response yet) in the same transaction as its
-- writes, and fills in the response before that transaction commits. The primary key
-- (tenant_id, key) makes a concurrent duplicate wait on the claim, then read the committed
-- response; a crash rolls back the claim together with the writes.
ALTER TABLE idempotency_keys ALTER COLUMN status DROP NOT NULL;
ALTER TABLE idempotency_keys ALTER COLUMN body DROP NOT NULL;
GRANT UPDATE (status, body) ON idempotency_keys TO crm_app;

-- Tenant provisioning (X-Admin-Token) has no tenant yet: its keys live in their own table, which
-- only the privileged owner connection reads. The stored response holds a new tenant's API key,
-- so `body` is encrypted with a key derived from the admin token (AES-256-GCM).
CREATE TABLE admin_idempotency_keys (
  key text PRIMARY KEY,
  request_hash text NOT NULL,
  status integer,
  body text,
  created_at timestamptz NOT NULL DEFAULT now()
);
REVOKE ALL ON admin_idempotency_keys FROM PUBLIC;
