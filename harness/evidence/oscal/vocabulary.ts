/**
 * The OSCAL vocabulary tenantproof writes: the model version, tenantproof's namespace for its own
 * property names, the shapes of the few OSCAL assemblies it builds, and small constructors that keep
 * every value within the schema's datatypes (a `prop` value has no leading or trailing space and is
 * never empty; a `class` is a token).
 */
import { tenantproofNamespace } from './uuid.ts';

export const OSCAL_VERSION = '1.1.2';

/** The namespace of every property and facet tenantproof defines (`ns` of a prop). */
export const TENANTPROOF_NS = 'https://tenantproof.dev/ns/oscal';

/** The UUID namespace of tenantproof's OSCAL documents (v5 of TENANTPROOF_NS in the URL namespace). */
export const TENANTPROOF_UUID_NAMESPACE = tenantproofNamespace(TENANTPROOF_NS);

/** The one framework of the control mapping whose ids are OSCAL catalog control ids. */
export const NIST_800_53 = 'NIST SP 800-53 Rev. 5';

export interface Prop {
  name: string;
  value: string;
  ns?: string;
  class?: string;
  remarks?: string;
}

export interface Link {
  href: string;
  rel?: string;
  'media-type'?: string;
  text?: string;
}

export interface OriginActor {
  type: 'tool' | 'assessment-platform' | 'party';
  'actor-uuid': string;
}

export interface Origin {
  actors: OriginActor[];
}

export interface SubjectReference {
  'subject-uuid': string;
  type: string;
  title?: string;
}

/** A property in tenantproof's namespace; a value that would be empty becomes `none`. */
export function prop(name: string, value: string | number | boolean, extra: { class?: string } = {}): Prop {
  const text = String(value).replace(/\s+/g, ' ').trim();
  return { name, ns: TENANTPROOF_NS, value: text === '' ? 'none' : text, ...extra };
}

/**
 * A token (XML NCName) made from free text: lower case, every run of other characters a `-`, a dot
 * kept only between digits (`OWASP ASVS 5.0` → `owasp-asvs-5.0`, `NIST SP 800-53 Rev. 5` →
 * `nist-sp-800-53-rev-5`), `_` in front when it would start with a digit.
 */
export function tokenOf(text: string): string {
  const t = text
    .toLowerCase()
    .replace(/(?<![0-9])\.|\.(?![0-9])/g, '-')
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return /^[a-z_]/.test(t) ? t : `_${t}`;
}

/**
 * A NIST SP 800-53 control id in the OSCAL catalog's form: `AC-3` → `ac-3`, an enhancement
 * `AC-2(4)` → `ac-2.4`.
 */
export function oscalControlId(controlId: string): string {
  return controlId
    .trim()
    .toLowerCase()
    .replace(/\((\d+)\)/g, '.$1');
}

/** The catalog objective of a NIST SP 800-53 Rev. 5 control (`ac-3` → `ac-3_obj`). */
export function objectiveIdOf(oscalId: string): string {
  return `${oscalId}_obj`;
}

/** An href to a back-matter resource of the same document. */
export function resourceHref(uuid: string): string {
  return `#${uuid}`;
}

/** A relative path of the run folder as a URI reference (each segment percent-encoded). */
export function pathHref(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** Props whose values are present; `undefined` entries are dropped. */
export function props(...entries: Array<Prop | undefined | false>): Prop[] {
  return entries.filter((p): p is Prop => p !== undefined && p !== false);
}

/** `{ [key]: list }` when the list has items, else nothing: OSCAL arrays have at least one item. */
export function listField<K extends string, T>(key: K, list: readonly T[]): { [P in K]?: T[] } {
  return (list.length > 0 ? { [key]: [...list] } : {}) as { [P in K]?: T[] };
}
