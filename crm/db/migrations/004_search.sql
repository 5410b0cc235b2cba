-- Cross-resource search documents. security_invoker makes the view apply the caller's RLS
-- (a view without it runs as its owner, which bypasses RLS).
CREATE VIEW search_documents WITH (security_invoker = true) AS
  SELECT c.tenant_id, 'customer'::text AS type, c.id, c.seq, c.name AS title,
         c.email AS snippet, c.name || ' ' || c.email AS haystack
    FROM customers c
  UNION ALL
  SELECT j.tenant_id, 'job', j.id, j.seq, j.title, coalesce(j.description, j.title),
         j.title || ' ' || coalesce(j.description, '')
    FROM jobs j
  UNION ALL
  SELECT q.tenant_id, 'quote', q.id, q.seq, 'Quote ' || left(q.id::text, 8),
         coalesce((SELECT string_agg(e->>'description', '; ') FROM jsonb_array_elements(q.line_items) e), ''),
         coalesce((SELECT string_agg(e->>'description', ' ') FROM jsonb_array_elements(q.line_items) e), '') || ' ' || coalesce(q.notes, '')
    FROM quotes q
  UNION ALL
  SELECT i.tenant_id, 'invoice', i.id, i.seq, 'Invoice ' || left(i.id::text, 8),
         coalesce((SELECT string_agg(e->>'description', '; ') FROM jsonb_array_elements(i.line_items) e), ''),
         coalesce((SELECT string_agg(e->>'description', ' ') FROM jsonb_array_elements(i.line_items) e), '')
    FROM invoices i;
GRANT SELECT ON search_documents TO crm_app;
