/**
 * JSON Schema of the environment file, generated from the zod schema so editors complete and
 * check the same rules the loader enforces (cross-field rules are enforced by the loader only).
 */
import { z } from 'zod';
import { EnvironmentShape } from './schema';

/** Where the committed JSON Schema lives; example files reference it by relative path. */
export const JSON_SCHEMA_FILE = 'environments/environment.schema.json';

export function environmentJsonSchema(): string {
  const schema = z.toJSONSchema(EnvironmentShape, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  const doc = {
    ...schema,
    $id: 'https://aks-keyvault-csi.local/environment.schema.json',
    title: 'aks-keyvault-csi environment',
    description: 'One environment: Azure resources (cdktf) and the workloads whose manifests are rendered (cdk8s). Generated from lib/config/schema.ts: do not edit.',
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
