/**
 * A tiny XML 1.0 well-formedness checker and reader for tests (no XML parser is installed):
 * declaration, elements with matched nesting, attributes (quoted, unique, escaped), text with only
 * the predefined entities or character references, comments, exactly one root element.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

export class XmlError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at offset ${offset}`);
    this.name = 'XmlError';
  }
}

const NAME = /^[A-Za-z_:][A-Za-z0-9._:-]*/;
const ENTITY = /^&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(s: string, at: number): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '<') throw new XmlError('raw < in text or attribute', at + i);
    if (c !== '&') {
      out += c;
      continue;
    }
    const m = ENTITY.exec(s.slice(i));
    if (!m) throw new XmlError('bad entity', at + i);
    const e = m[1]!;
    out += e.startsWith('#x')
      ? String.fromCodePoint(parseInt(e.slice(2), 16))
      : e.startsWith('#')
        ? String.fromCodePoint(parseInt(e.slice(1), 10))
        : ENTITIES[e]!;
    i += m[0].length - 1;
  }
  return out;
}

export function parseXml(xml: string): XmlElement {
  let i = 0;
  if (xml.startsWith('<?xml')) {
    const end = xml.indexOf('?>');
    if (end < 0) throw new XmlError('unterminated declaration', 0);
    i = end + 2;
  }
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt < 0 ? xml.length : lt);
    if (stack.length === 0) {
      if (text.trim() !== '') throw new XmlError('text outside the root element', i);
    } else stack.at(-1)!.text += decode(text, i);
    if (lt < 0) break;
    i = lt;
    if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i);
      if (end < 0) throw new XmlError('unterminated comment', i);
      i = end + 3;
      continue;
    }
    if (xml.startsWith('</', i)) {
      const m = NAME.exec(xml.slice(i + 2));
      const top = stack.pop();
      if (!m || !top || m[0] !== top.name) throw new XmlError(`mismatched end tag ${m?.[0] ?? '?'}`, i);
      i += 2 + m[0].length;
      while (/\s/.test(xml[i] ?? '')) i++;
      if (xml[i] !== '>') throw new XmlError('bad end tag', i);
      i++;
      continue;
    }
    const m = NAME.exec(xml.slice(i + 1));
    if (!m) throw new XmlError('bad tag name', i);
    const el: XmlElement = { name: m[0], attrs: {}, children: [], text: '' };
    i += 1 + m[0].length;
    for (;;) {
      const ws = /^\s*/.exec(xml.slice(i))![0].length;
      i += ws;
      if (xml.startsWith('/>', i)) {
        i += 2;
        if (stack.length) stack.at(-1)!.children.push(el);
        else if (root) throw new XmlError('second root element', i);
        else root = el;
        break;
      }
      if (xml[i] === '>') {
        i++;
        if (stack.length) stack.at(-1)!.children.push(el);
        else if (root) throw new XmlError('second root element', i);
        else root = el;
        stack.push(el);
        break;
      }
      if (ws === 0) throw new XmlError('attributes must be separated by whitespace', i);
      const a = /^([A-Za-z_:][A-Za-z0-9._:-]*)\s*=\s*("([^"]*)"|'([^']*)')/.exec(xml.slice(i));
      if (!a) throw new XmlError('bad attribute', i);
      if (a[1]! in el.attrs) throw new XmlError(`duplicate attribute ${a[1]}`, i);
      el.attrs[a[1]!] = decode(a[3] ?? a[4] ?? '', i);
      i += a[0].length;
    }
  }
  if (stack.length) throw new XmlError(`unclosed element ${stack.at(-1)!.name}`, xml.length);
  if (!root) throw new XmlError('no root element', 0);
  return root;
}

export function findAll(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    if (e.name === name) out.push(e);
    e.children.forEach(walk);
  };
  walk(el);
  return out;
}
