/**
 * The broker's two duties around `outloop exec` resolving aliases: decide, before the vault is
 * opened, whether this workspace may have each alias (grants.ts), and log every alias asked for with
 * what became of it (broker-log.ts). A run with one alias not granted resolves none and runs nothing.
 */
import path from 'node:path';
import { findConfigFile, loadConfig } from '../config/load.js';
import { UsageError } from '../model/errors.js';
import { Tenancy } from '../tenancy/tenancy.js';
import { appendBrokerRecords, brokerLogFile, type BrokerOutcome, type BrokerRecord } from './broker-log.js';
import { GrantPolicy, relativeInside, type GrantDecision } from './grants.js';

export interface BrokerRequest {
  /** Each alias asked for, with the variables holding it. */
  aliases: Map<string, string[]>;
  /** The folder the command runs in: the workspace grants are about. */
  cwd: string;
  /** The env files read (absolute): where the config is looked for when none is above cwd. */
  envFiles: string[];
  env: NodeJS.ProcessEnv;
  command: string;
}

/** What a run whose aliases were all granted reports once it knows how resolving went. */
export interface BrokerLedger {
  resolved(fingerprints: Map<string, string>): void;
  failed(why: string, missing?: Set<string>): void;
}

/** Throws (after logging) when any alias is not granted here; otherwise the ledger to log the outcome in. */
export async function authorize(request: BrokerRequest): Promise<BrokerLedger> {
  // The config above the workspace; else the one above an env file (a command run from outside the
  // agency's tree with a client's .env is still judged by the agency's clients).
  let config = await loadConfig({ startDir: request.cwd });
  for (const file of request.envFiles) {
    if (config.file) break;
    const found = findConfigFile(path.dirname(file));
    if (found) config = await loadConfig({ file: found, startDir: path.dirname(found) });
  }
  const policy = new GrantPolicy(config, Object.keys(config.tenants).length ? new Tenancy(config) : null);
  const workspace = path.resolve(request.cwd);
  const workspaceTenant = policy.workspaceTenant(workspace);
  const file = brokerLogFile(request.env);
  const decisions = [...request.aliases].map(([alias, variables]) => ({ ...policy.decide(alias, workspace), variables }));
  const log = (outcome: (d: GrantDecision) => { outcome: BrokerOutcome; why: string; fingerprint?: string }) =>
    appendBrokerRecords(
      file,
      decisions.map((d): BrokerRecord => ({
        time: new Date().toISOString(),
        alias: d.alias,
        variables: d.variables,
        workspace,
        workspaceTenant,
        command: path.basename(request.command),
        ...outcome(d),
        pid: process.pid,
      })),
    );

  const denied = decisions.filter((d) => !d.granted);
  if (denied.length) {
    log((d) => (d.granted ? { outcome: 'withheld', why: 'another alias of this run was denied' } : { outcome: 'denied', why: d.why }));
    const lines = denied.map((d) => `${d.alias} (in ${d.variables.join(', ')}): ${d.why}`);
    const rel = relativeInside(config.dir, workspace);
    const glob = rel === null ? null : rel === '' ? '**' : `${rel}/**`;
    const hint = glob && config.file ? `\nTo allow it, add to ${config.file}: "grants": [{ "alias": "${denied[0]!.alias}", "paths": ["${glob}"], "reason": "…" }]` : '';
    throw new UsageError(`not granted in ${workspace}: ${lines.join('; ')}; nothing was run${hint}`);
  }
  return {
    resolved: (fingerprints) => log((d) => ({ outcome: 'resolved', why: d.why, ...(fingerprints.has(d.alias) ? { fingerprint: fingerprints.get(d.alias)! } : {}) })),
    failed: (why, missing) => log((d) => (missing?.has(d.alias) ? { outcome: 'missing', why: 'no vault entry' } : { outcome: 'withheld', why })),
  };
}
