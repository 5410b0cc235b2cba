/**
 * String and number formats, validated exactly as ajv-formats (full mode) validates them: that is
 * what JSON Schema validators, and the reference CRM, do. Regex formats are copied from the installed
 * ajv-formats at generation time; the few function formats are ported below. The emitted code
 * declares only the helpers it uses.
 */
import { fullFormats } from 'ajv-formats/dist/formats.js';

export interface FormatHelper {
  /** Declarations to put at the top of the module. */
  declarations: string[];
  /** The zod expression for a string of this format. */
  expr: string;
}

const FUNCTION_HELPERS: Record<string, string> = {
  __isDate: `const __DATE = /^(\\d\\d\\d\\d)-(\\d\\d)-(\\d\\d)$/;
const __DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** RFC 3339 full-date, as ajv-formats checks it (leap years included). */
const __isDate = (s: string): boolean => {
  const m = __DATE.exec(s);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month >= 1 && month <= 12 && day >= 1 && day <= (month === 2 && leap ? 29 : (__DAYS[month] ?? 0));
};`,
  __isTime: `const __TIME = /^(\\d\\d):(\\d\\d):(\\d\\d(?:\\.\\d+)?)(z|([+-])(\\d\\d)(?::?(\\d\\d))?)?$/i;
/** RFC 3339 time with a required zone (leap seconds included), as ajv-formats checks it. */
const __isTime = (s: string): boolean => {
  const m = __TIME.exec(s);
  if (!m) return false;
  const hr = Number(m[1]);
  const min = Number(m[2]);
  const sec = Number(m[3]);
  const sign = m[5] === '-' ? -1 : 1;
  const tzH = Number(m[6] ?? 0);
  const tzM = Number(m[7] ?? 0);
  if (tzH > 23 || tzM > 59 || !m[4]) return false;
  if (hr <= 23 && min <= 59 && sec < 60) return true;
  const utcMin = min - tzM * sign;
  const utcHr = hr - tzH * sign - (utcMin < 0 ? 1 : 0);
  return (utcHr === 23 || utcHr === -1) && (utcMin === 59 || utcMin === -1) && sec < 61;
};`,
  __isDateTime: `/** RFC 3339 date-time, as ajv-formats checks it. */
const __isDateTime = (s: string): boolean => {
  const parts = s.split(/t|\\s/i);
  return parts.length === 2 && __isDate(parts[0]!) && __isTime(parts[1]!);
};`,
  __isUri: `/** An absolute URI, as ajv-formats checks it. */
const __isUri = (s: string): boolean => /\\/|:/.test(s) && __fmt_uri_body.test(s);`,
  __isRegex: `/** A pattern JavaScript can compile. */
const __isRegex = (s: string): boolean => {
  try {
    new RegExp(s, 'u');
    return true;
  } catch {
    return false;
  }
};`,
};

const FUNCTION_DEPENDENCIES: Record<string, string[]> = {
  __isDateTime: ['__isDate', '__isTime'],
  __isUri: ['__fmt_uri_body'],
};

const URI_BODY =
  /^(?:[a-z][a-z0-9+\-.]*:)(?:\/?\/(?:(?:[a-z0-9\-._~!$&'()*+,;=:]|%[0-9a-f]{2})*@)?(?:\[(?:(?:(?:(?:[0-9a-f]{1,4}:){6}|::(?:[0-9a-f]{1,4}:){5}|(?:[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){4}|(?:(?:[0-9a-f]{1,4}:){0,1}[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){3}|(?:(?:[0-9a-f]{1,4}:){0,2}[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){2}|(?:(?:[0-9a-f]{1,4}:){0,3}[0-9a-f]{1,4})?::[0-9a-f]{1,4}:|(?:(?:[0-9a-f]{1,4}:){0,4}[0-9a-f]{1,4})?::)(?:[0-9a-f]{1,4}:[0-9a-f]{1,4}|(?:(?:25[0-5]|2[0-4]\d|[01]?\d\d?)\.){3}(?:25[0-5]|2[0-4]\d|[01]?\d\d?))|(?:(?:[0-9a-f]{1,4}:){0,5}[0-9a-f]{1,4})?::[0-9a-f]{1,4}|(?:(?:[0-9a-f]{1,4}:){0,6}[0-9a-f]{1,4})?::)|[Vv][0-9a-f]+\.[a-z0-9\-._~!$&'()*+,;=:]+)\]|(?:(?:25[0-5]|2[0-4]\d|[01]?\d\d?)\.){3}(?:25[0-5]|2[0-4]\d|[01]?\d\d?)|(?:[a-z0-9\-._~!$&'()*+,;=]|%[0-9a-f]{2})*)(?::\d*)?(?:\/(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})*)*|\/(?:(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})+(?:\/(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})*)*)?|(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})+(?:\/(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})*)*)(?:\?(?:[a-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9a-f]{2})*)?(?:#(?:[a-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9a-f]{2})*)?$/i;

function regexConst(name: string, re: RegExp): string {
  return `const ${name} = new RegExp(${JSON.stringify(re.source)}, ${JSON.stringify(re.flags.replace('g', ''))});`;
}

const FUNCTION_FORMATS: Record<string, string> = {
  date: '__isDate',
  time: '__isTime',
  'date-time': '__isDateTime',
  uri: '__isUri',
  regex: '__isRegex',
};

/** Collects the helper declarations a module needs, in dependency order. */
export class FormatRegistry {
  private readonly used = new Map<string, string>();

  private use(name: string, declaration: () => string): void {
    for (const dep of FUNCTION_DEPENDENCIES[name] ?? []) {
      if (dep === '__fmt_uri_body') this.use(dep, () => regexConst(dep, URI_BODY));
      else this.use(dep, () => FUNCTION_HELPERS[dep]!);
    }
    if (!this.used.has(name)) this.used.set(name, declaration());
  }

  /** The zod expression for a string with this format, or undefined when the format is not checked. */
  stringFormat(format: string): string | undefined {
    const message = `{ message: ${JSON.stringify(`must match format "${format}"`)} }`;
    const fn = FUNCTION_FORMATS[format];
    if (fn) {
      this.use(fn, () => FUNCTION_HELPERS[fn]!);
      return `z.string().refine(${fn}, ${message})`;
    }
    const def = (fullFormats as Record<string, unknown>)[format];
    if (def instanceof RegExp) {
      const name = `__fmt_${format.replace(/\W/g, '_')}`;
      this.use(name, () => regexConst(name, def));
      return `z.string().regex(${name}, ${message})`;
    }
    return undefined;
  }

  /** Range checks ajv-formats applies to numeric formats (int32, int64). */
  numberFormat(format: string): string {
    if (format === 'int32') return '.gte(-2147483648).lte(2147483647)';
    return '';
  }

  declarations(): string[] {
    return [...this.used.values()];
  }
}
