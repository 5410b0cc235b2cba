/** Hand-written expectations for RealWorld Conduit: slugs as ids, enveloped bodies, optional auth. */
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeSpecFile, type ApiModel } from './index.ts';
import { CORPUS_DIR } from '../../test/support/paths.ts';

let model: ApiModel;
beforeAll(async () => {
  model = await analyzeSpecFile(resolve(CORPUS_DIR, 'realworld-conduit.openapi.yml'));
});

describe('Conduit spec inference', () => {
  it('finds every producer -> consumer edge', () => {
    const edges = model.edges.map((e) => `${e.resource}: ${e.producer} -> ${e.consumer} (${e.in} ${e.name})`).sort();
    const articleConsumers = [
      'GetArticle',
      'UpdateArticle',
      'DeleteArticle',
      'GetArticleComments',
      'CreateArticleComment',
      'DeleteArticleComment',
      'CreateArticleFavorite',
      'DeleteArticleFavorite',
    ];
    expect(edges).toEqual(
      [
        ...articleConsumers.map((c) => `article: CreateArticle -> ${c} (path slug)`),
        'comment: CreateArticleComment -> DeleteArticleComment (path id)',
      ].sort(),
    );
  });

  it('uses the slug as the article id and unwraps the envelope', () => {
    const create = model.operations.find((o) => o.operationId === 'CreateArticle')!;
    expect(create.produces).toEqual({ resource: 'article', idField: 'slug', envelope: 'article', status: '201' });
    const comment = model.operations.find((o) => o.operationId === 'CreateArticleComment')!;
    expect(comment.produces).toEqual({ resource: 'comment', idField: 'id', envelope: 'comment', status: '200' });
    expect(model.resources.find((r) => r.name === 'profile')?.idField).toBe('username');
  });

  it('classifies every operation', () => {
    const kinds = Object.fromEntries(
      model.operations.map((o) => [
        o.operationId,
        [o.kind, o.itemAction ?? '', o.resource ?? '', o.parent?.resource ?? ''].join(' ').trim(),
      ]),
    );
    expect(kinds).toEqual({
      Login: 'unclassified',
      CreateUser: 'create  user',
      GetCurrentUser: 'singleton  user',
      UpdateCurrentUser: 'singleton  user',
      GetProfileByUsername: 'item read profile',
      FollowUserByUsername: 'action  profile',
      UnfollowUserByUsername: 'action  profile',
      GetArticlesFeed: 'collection  article',
      GetArticles: 'collection  article',
      CreateArticle: 'create  article',
      GetArticle: 'item read article',
      UpdateArticle: 'item update article',
      DeleteArticle: 'item delete article',
      GetArticleComments: 'collection  comment article',
      CreateArticleComment: 'create  comment article',
      DeleteArticleComment: 'item delete comment article',
      CreateArticleFavorite: 'action  article',
      DeleteArticleFavorite: 'action  article',
      GetTags: 'collection  tag',
    });
    expect(model.operations.find((o) => o.operationId === 'Login')?.reason).toMatch(/authentication/);
  });

  it('has no search, aggregate or export operations', () => {
    expect(model.operations.filter((o) => ['search', 'aggregate', 'export'].includes(o.kind))).toEqual([]);
  });

  it('treats only operations that require the token as tenant-owned', () => {
    const owned = model.operations
      .filter((o) => o.tenantOwned)
      .map((o) => o.operationId)
      .sort();
    expect(owned).toEqual(
      [
        'GetCurrentUser',
        'UpdateCurrentUser',
        'FollowUserByUsername',
        'UnfollowUserByUsername',
        'GetArticlesFeed',
        'CreateArticle',
        'UpdateArticle',
        'DeleteArticle',
        'CreateArticleComment',
        'DeleteArticleComment',
        'CreateArticleFavorite',
        'DeleteArticleFavorite',
      ].sort(),
    );
    expect(model.operations.find((o) => o.operationId === 'GetArticle')?.tenantOwnedReason).toBe(
      'no security requirement (public)',
    );
  });

  it('detects offset pagination and the items field', () => {
    const list = model.operations.find((o) => o.operationId === 'GetArticles')!;
    expect(list.pagination).toEqual({ style: 'offset', param: 'offset', limitParam: 'limit' });
    expect(list.itemsField).toBe('articles');
  });
});
