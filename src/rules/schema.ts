/**
 * The schema every rule file is validated against when it is loaded (built-in files at build time,
 * a team's own `--rules DIR` files at run time). Errors name the file and the field.
 */
import { z } from 'zod';

const regexSource = z.string().min(1);

const example = z.union([
  z.string(),
  z.object({ text: z.string(), path: z.string().optional() }).strict(),
]);

const allowEntry = z.union([
  regexSource,
  z
    .object({
      pattern: regexSource,
      target: z.enum(['secret', 'match', 'line']).default('secret'),
      flags: z.enum(['', 'i']).default(''),
      reason: z.string().optional(),
    })
    .strict(),
]);

export const ruleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits and dashes'),
    service: z.string().min(1).optional(),
    description: z.string().min(1),
    severity: z.enum(['critical', 'high', 'medium', 'low']),
    confidence: z.enum(['high', 'medium', 'low']).default('high'),
    keywords: z.array(z.string().min(2)).min(1),
    keywordBoundary: z.boolean().default(false),
    pattern: regexSource,
    flags: z.enum(['', 'i']).default(''),
    secretGroup: z.union([z.string(), z.number().int().min(0)]).optional(),
    entropy: z.number().min(0).max(8).optional(),
    mustContain: z.array(z.enum(['upper', 'lower', 'digit'])).optional(),
    checksum: z.enum(['crc32-base62-tail6', 'crc32-hex-tail8']).optional(),
    paths: z.array(z.string().min(1)).optional(),
    excludePaths: z.array(z.string().min(1)).optional(),
    window: z
      .object({ before: z.number().int().min(0).max(4096), after: z.number().int().min(1).max(65536) })
      .strict()
      .optional(),
    priority: z.number().int().min(-100).max(100).default(0),
    allowlist: z.array(allowEntry).default([]),
    revoke: z.string().url().optional(),
    examples: z
      .object({ positive: z.array(example).min(1), negative: z.array(example).min(1) })
      .strict(),
  })
  .strict();

export const packSchema = z
  .object({
    service: z.string().min(1).optional(),
    revoke: z.string().url().optional(),
    rules: z.array(ruleSchema).default([]),
    globalAllowlist: z.array(allowEntry).default([]),
  })
  .strict();

export type RuleSpec = z.infer<typeof ruleSchema>;
export type PackSpec = z.infer<typeof packSchema>;
export type AllowSpec = z.infer<typeof allowEntry>;
export type ExampleSpec = z.infer<typeof example>;
