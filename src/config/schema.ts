/**
 * outloop.config.json: what a project tells outloop. Validated strictly: an unknown field is a typo
 * until proven otherwise, and the error names it. Raw keys never belong here, only fingerprints.
 */
import { z } from 'zod';

import { FINGERPRINT } from './fingerprint.js';

export { FINGERPRINT };

const allowEntry = z
  .object({
    fingerprint: z.string().regex(FINGERPRINT, 'must be "sha256:" followed by 64 lowercase hex digits (outloop prints it with every finding)'),
    reason: z.string().trim().min(3, 'say why this key may stay (at least a few words)'),
    ruleId: z.string().min(1).optional(),
    path: z.string().min(1).optional(),
  })
  .strict();

export const configSchema = z
  .object({
    $schema: z.string().optional(),
    ignore: z.array(z.string().min(1)).default([]),
    allow: z.array(allowEntry).default([]),
  })
  .strict();

export type ConfigSpec = z.infer<typeof configSchema>;
export type AllowEntry = z.infer<typeof allowEntry>;
