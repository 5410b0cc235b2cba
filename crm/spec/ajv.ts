/** Ajv instances configured for OpenAPI 3.1 schemas (tolerates `example`, `examples`, `x-*`). */
import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';

type FormatsPlugin = (ajv: Ajv) => Ajv;
// ajv-formats is CJS with `exports.default`; under NodeNext the callable may sit on `.default`.
const formatsModule = addFormatsModule as unknown as FormatsPlugin | { default: FormatsPlugin };
const addFormats: FormatsPlugin = typeof formatsModule === 'function' ? formatsModule : formatsModule.default;

export function createSpecAjv(options: Options = {}): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true, ...options });
  addFormats(ajv);
  ajv.addKeyword({ keyword: 'example' });
  return ajv;
}
