/**
 * An ajv for an OpenAPI 3.1 document (JSON Schema 2020-12), with formats checked: the document is
 * added under `id`, so `ajv.compile({ $ref: `${id}#/components/schemas/Card` })` checks a Card.
 */
import type { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { addFormats } from './crm-ajv.ts';

export function openApi31Ajv(spec: object, id: string): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  // ajv-formats is typed against the draft-07 Ajv class; Ajv2020 is the same class underneath.
  addFormats(ajv as unknown as Ajv);
  ajv.addSchema({ ...spec, $id: id });
  return ajv;
}
