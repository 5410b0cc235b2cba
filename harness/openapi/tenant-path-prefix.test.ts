import { describe, expect, it } from 'vitest';
import { analyzeDocument, analyzeSpecFile } from './analyze.ts';
import { leadingPair } from './tenant-path-prefix.ts';
import { SpecDocument } from './spec-document.ts';

/** A minimal spec: `paths` as given, bearer auth everywhere, tiny schemas. */
function spec(paths: Record<string, unknown>): SpecDocument {
  const root = {
    openapi: '3.1.0',
    info: { title: 't', version: '1' },
    security: [{ bearer: [] }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
  return new SpecDocument(root, '/spec.json', '3.1', 'sha', () => ({ file: '/spec.json' }));
}
const record = {
  content: {
    'application/json': {
      schema: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } } },
    },
  },
};
const body = {
  required: true,
  content: { 'application/json': { schema: { type: 'object', properties: { name: { type: 'string' } } } } },
};
const param = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });
const items = (prefix: string, p: string) => ({
  [`${prefix}/items`]: {
    parameters: [param(p)],
    post: { operationId: 'createItem', requestBody: body, responses: { '201': record } },
  },
  [`${prefix}/items/{itemId}`]: {
    parameters: [param(p), param('itemId')],
    get: { operationId: 'getItem', responses: { '200': record } },
  },
});

describe('path-prefix tenancy', () => {
  it('finds the leading literal/{param} pair after /api/v1 plumbing', () => {
    expect(leadingPair('/api/v1/orgs/{orgId}/boards')).toEqual({
      literal: 'orgs',
      param: 'orgId',
      collection: '/api/v1/orgs',
    });
    expect(leadingPair('/boards/{boardId}')).toEqual({ literal: 'boards', param: 'boardId', collection: '/boards' });
    expect(leadingPair('/{orgId}/boards')).toBeUndefined();
  });

  it('Teamboard: /orgs/{orgId} is a tenant prefix, not a resource the campaign must create', async () => {
    const model = await analyzeSpecFile('examples/path-prefix/openapi.yaml');
    const getCard = model.operations.find((o) => o.operationId === 'getCard')!;
    expect(getCard.tenantFields).toContainEqual({ in: 'path', name: 'orgId', required: true });
    expect(getCard.consumes.map((u) => u.name)).toEqual(['boardId', 'cardId']);
    expect(getCard.parent).toEqual({ resource: 'board', param: 'boardId' });
    expect(getCard.probes).toContain('path-injection');
    expect(model.resources.map((r) => r.name)).not.toContain('org');
  });

  it('a workspace slug prefix works the same, whatever the parameter is called', () => {
    const model = analyzeDocument(spec(items('/api/workspaces/{slug}', 'slug')));
    const getItem = model.operations.find((o) => o.operationId === 'getItem')!;
    expect(getItem.kind).toBe('item');
    expect(getItem.tenantFields).toContainEqual({ in: 'path', name: 'slug', required: true });
    expect(getItem.consumes).toEqual([{ resource: 'item', in: 'path', name: 'itemId', source: 'inferred' }]);
  });

  it('organisations a tenant creates itself (an authenticated POST /orgs) stay a resource', () => {
    const model = analyzeDocument(
      spec({
        '/orgs': { post: { operationId: 'createOrg', requestBody: body, responses: { '201': record } } },
        ...items('/orgs/{orgId}', 'orgId'),
      }),
    );
    const getItem = model.operations.find((o) => o.operationId === 'getItem')!;
    expect(getItem.tenantFields ?? []).not.toContainEqual(expect.objectContaining({ in: 'path' }));
    expect(getItem.consumes.map((u) => u.name).sort()).toEqual(['itemId', 'orgId']);
    expect(getItem.probes).not.toContain('path-injection');
  });

  it('a public sign-up at POST /orgs does not make organisations tenant-made', () => {
    const model = analyzeDocument(
      spec({
        '/orgs': {
          post: { operationId: 'signUp', security: [], requestBody: body, responses: { '201': record } },
        },
        ...items('/orgs/{orgId}', 'orgId'),
      }),
    );
    const getItem = model.operations.find((o) => o.operationId === 'getItem')!;
    expect(getItem.tenantFields).toContainEqual({ in: 'path', name: 'orgId', required: true });
  });
});
