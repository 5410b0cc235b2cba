/** Opaque cursors bound to the tenant and the list (with its filters) that issued them. */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { problems } from './problems.ts';

export class CursorCodec {
  private readonly secret = randomBytes(32);

  encode(position: number, tenant: string, list: string): string {
    const body = Buffer.from(JSON.stringify({ position, list, tenant })).toString('base64url');
    return `${body}.${this.sign(body)}`;
  }

  /** The position to continue after; throws the CRM's invalid-cursor 400 otherwise. */
  decode(cursor: string, tenant: string, list: string): number {
    const [body, signature, extra] = cursor.split('.');
    if (!body || !signature || extra !== undefined) throw problems.invalidCursor();
    const a = Buffer.from(signature);
    const b = Buffer.from(this.sign(body));
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw problems.invalidCursor();
    let payload: { position?: unknown; list?: unknown; tenant?: unknown };
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as typeof payload;
    } catch {
      throw problems.invalidCursor();
    }
    if (typeof payload.position !== 'number' || payload.tenant !== tenant || payload.list !== list)
      throw problems.invalidCursor();
    return payload.position;
  }

  private sign(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url');
  }
}
