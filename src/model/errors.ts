/** Exit codes the CLI returns; the library never exits, it throws these as typed errors. */
export const EXIT = { clean: 0, findings: 1, error: 2 } as const;

/** A problem the user can fix (bad flag, bad rule file, bad config): printed plainly, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A rule or config file failed validation; the message names the file and the field. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly file: string,
    readonly field: string,
    problem: string,
  ) {
    super(`${file}: ${field}: ${problem}`);
  }
}
