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

const FINGERPRINT_HELP = 'must be "sha256:" followed by 64 lowercase hex digits; bind a key with `outloop bind TENANT NAME`, which reads it from stdin and stores only its fingerprint';

const keyBinding = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, dot, dash and underscore (it becomes the alias outloop://TENANT/NAME)'),
    fingerprint: z.string().regex(FINGERPRINT, FINGERPRINT_HELP),
  })
  .strict();

const tenant = z
  .object({
    /** Globs relative to the config's folder: the folders and files that belong to this client. */
    paths: z.array(z.string().min(1)).default([]),
    /** Globs over git remote URLs (`github.com/acme-corp/*`), for folders whose names say nothing. */
    remotes: z.array(z.string().min(1)).default([]),
    keys: z.array(keyBinding).default([]),
    /** Account ids of this client (Stripe acct_, Google Ads customer ids, Meta act_, Airtable bases, shop domains...). */
    accounts: z.array(z.string().trim().min(4, 'too short to recognise (at least 4 characters)').max(256)).default([]),
  })
  .strict();

const grant = z
  .object({
    /** One alias, or every alias of a client: `outloop://acme/*`. */
    alias: z.string().regex(/^outloop:\/\/[a-z0-9][a-z0-9._-]{0,63}\/(\*|[A-Za-z0-9][A-Za-z0-9._-]{0,63})$/, 'must be an alias, outloop://TENANT/NAME, or outloop://TENANT/* for all of a client\'s keys'),
    /** Globs relative to the config's folder: the workspaces `outloop exec` may resolve it in. */
    paths: z.array(z.string().min(1)).min(1, 'name at least one workspace glob'),
    reason: z.string().trim().min(3, 'say why this workspace may use the key (at least a few words)'),
  })
  .strict();

export const configSchema = z
  .object({
    $schema: z.string().optional(),
    ignore: z.array(z.string().min(1)).default([]),
    allow: z.array(allowEntry).default([]),
    /**
     * Absolute folders that stand for this config's folder elsewhere: where the same client folders
     * live on a teammate's machine, as recorded in transcripts copied from there.
     */
    roots: z.array(z.string().regex(/^(\/|[A-Za-z]:[\\/])/, 'must be an absolute path')).default([]),
    tenants: z.record(z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'tenant names are lowercase letters, digits, dot, dash and underscore'), tenant).default({}),
    /** Workspaces where `outloop exec` may resolve another client's aliases (see src/exec/grants.ts). */
    grants: z.array(grant).default([]),
  })
  .strict();

export type TenantSpec = z.infer<typeof tenant>;
export type KeyBinding = z.infer<typeof keyBinding>;

export type ConfigSpec = z.infer<typeof configSchema>;
export type AllowEntry = z.infer<typeof allowEntry>;
export type GrantEntry = z.infer<typeof grant>;
