-- RLS: ENABLE + FORCE on every tenant-owned table; the policy reads the transaction-local
-- tenant context. An unset or empty context matches nothing.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['customers', 'notes', 'jobs', 'quotes', 'invoices', 'payments', 'idempotency_keys', 'audit_events'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format(
      'CREATE POLICY tenant_isolation ON %I USING (tenant_id = nullif(current_setting(''app.tenant_id'', true), '''')::uuid) '
      'WITH CHECK (tenant_id = nullif(current_setting(''app.tenant_id'', true), '''')::uuid)', t);
  END LOOP;
END
$$;

ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_self ON tenants USING (id = nullif(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
-- No policy on api_keys: crm_app sees nothing, and has no grant anyway.

GRANT USAGE ON SCHEMA public TO crm_app;
GRANT SELECT ON tenants TO crm_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON customers, notes, jobs, quotes, invoices, payments TO crm_app;
GRANT SELECT, INSERT ON idempotency_keys TO crm_app;
GRANT SELECT, INSERT ON audit_events TO crm_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO crm_app;

-- API-key resolution without exposing api_keys: a SECURITY DEFINER function owned by the
-- bootstrap role, with a pinned search_path.
CREATE FUNCTION crm_resolve_api_key(p_key_hash text)
RETURNS TABLE (tenant_id uuid, tenant_name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT t.id, t.name FROM api_keys k JOIN tenants t ON t.id = k.tenant_id WHERE k.key_hash = p_key_hash
$$;
REVOKE ALL ON FUNCTION crm_resolve_api_key(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm_resolve_api_key(text) TO crm_app;
