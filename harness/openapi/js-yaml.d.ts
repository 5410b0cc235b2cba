/** Minimal types for the part of js-yaml 4 we use (no @types package installed). */
declare module 'js-yaml' {
  export interface LoadOptions {
    filename?: string;
    schema?: unknown;
    json?: boolean;
  }
  export const CORE_SCHEMA: unknown;
  export function load(text: string, options?: LoadOptions): unknown;
  export class YAMLException extends Error {
    mark?: { line: number; column: number };
  }
  const jsyaml: { load: typeof load; CORE_SCHEMA: unknown; YAMLException: typeof YAMLException };
  export default jsyaml;
}
