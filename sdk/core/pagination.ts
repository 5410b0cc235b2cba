/**
 * Cursor pagination. A list method returns a PagePromise: await it for the first page, iterate it
 * with `for await` for every item of every page, or call `.pages()` for page-by-page access.
 * The cursor is opaque: the SDK passes `nextCursor` back as `cursor` and never looks inside.
 */
import { APIPromise, type RawResponse, type WithResponse } from './api-promise.ts';

export interface CursorPageBody<Item> {
  data: Item[];
  nextCursor: string | null;
}

export type FetchPage<Item> = (cursor: string | undefined) => Promise<WithResponse<CursorPageBody<Item>>>;

export class Page<Item> implements CursorPageBody<Item> {
  readonly data: Item[];
  readonly nextCursor: string | null;

  constructor(
    body: CursorPageBody<Item>,
    readonly response: RawResponse,
    private readonly fetchPage: FetchPage<Item>,
  ) {
    this.data = body.data;
    this.nextCursor = body.nextCursor;
  }

  hasNextPage(): boolean {
    return this.nextCursor !== null && this.nextCursor !== undefined && this.nextCursor !== '';
  }

  /** The next page; throws if there is none (check `hasNextPage()` first). */
  async getNextPage(): Promise<Page<Item>> {
    if (!this.hasNextPage()) throw new Error('no next page: nextCursor is null');
    const next = await this.fetchPage(this.nextCursor!);
    return new Page(next.data, next.response, this.fetchPage);
  }
}

export class PagePromise<Item> extends APIPromise<Page<Item>> implements AsyncIterable<Item> {
  constructor(fetchPage: FetchPage<Item>, cursor?: string) {
    super(fetchPage(cursor).then((r) => ({ data: new Page(r.data, r.response, fetchPage), response: r.response })));
  }

  /** Every page in turn, starting with the first. */
  async *pages(): AsyncGenerator<Page<Item>, void, undefined> {
    let page: Page<Item> = await (this as APIPromise<Page<Item>>);
    yield page;
    while (page.hasNextPage()) {
      page = await page.getNextPage();
      yield page;
    }
  }

  /** Every item of every page, fetching pages as needed. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Item, void, undefined> {
    for await (const page of this.pages()) yield* page.data;
  }

  /** Collects every item (up to `limit`) into an array. */
  async toArray(limit = Number.POSITIVE_INFINITY): Promise<Item[]> {
    const out: Item[] = [];
    for await (const item of this) {
      if (out.length >= limit) break;
      out.push(item);
    }
    return out;
  }
}
