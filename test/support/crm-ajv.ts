/** An ajv validator for the CRM's request schemas, configured the way the CRM validates bodies. */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { SpecDocument } from '../../harness/openapi/index.ts';

type FormatsPlugin = (ajv: Ajv) => Ajv;
const formatsModule = addFormatsModule as unknown as FormatsPlugin | { default: FormatsPlugin };
export const addFormats: FormatsPlugin = typeof formatsModule === 'function' ? formatsModule : formatsModule.default;

export function specValidator(doc: SpecDocument): (schema: unknown) => ValidateFunction {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true, coerceTypes: false });
  addFormats(ajv);
  ajv.addKeyword({ keyword: 'example' });
  ajv.addSchema({ ...doc.root, $id: 'tp-spec' });
  return (schema: unknown) => {
    const ref = (schema as { $ref?: unknown }).$ref;
    return ajv.compile(typeof ref === 'string' ? { $ref: `tp-spec${ref}` } : (schema as object));
  };
}
