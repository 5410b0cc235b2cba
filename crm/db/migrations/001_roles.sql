-- The application role. NOLOGIN, not the owner of any table, no BYPASSRLS: every tenant request
-- transaction runs `SET LOCAL ROLE crm_app`, so row-level security applies to it.
-- Roles are cluster-global: tolerate another database (or a concurrent migration) creating it first.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'crm_app') THEN
    CREATE ROLE crm_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END
$$;

-- A non-superuser owner needs membership to `SET ROLE crm_app` (a superuser may always).
DO $$
BEGIN
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE format('GRANT crm_app TO %I', current_user);
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END
$$;
