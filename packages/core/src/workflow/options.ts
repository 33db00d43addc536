import type { BuiltinAdapters } from '../adapter/registry.js';
import type { Logger } from '../log/logger.js';
import type { DeliveryOptions } from '../notify/deliver.js';

/** What every command takes: the common flags of the CLI, as data. */
export interface CommonOptions {
  projectDir: string;
  profilesDir?: string;
  /** `--profile`: the profile to read instead of the project file's `profile:`. */
  profile?: string;
  target?: string;
  /** `--vars` as given (YAML or JSON text), or already parsed. */
  vars?: string | Record<string, unknown>;
  now?: string;
  threads?: number;
  /** The directory tform runs in (default process.cwd()): dbt looks for profiles.yml there and opens relative DuckDB paths from it. */
  cwd?: string;
  /** `--target-path`: artifacts go here instead of the project file's target-path (also $DBT_TARGET_PATH). */
  targetPath?: string;
  logger: Logger;
  builtins: BuiltinAdapters;
  env?: NodeJS.ProcessEnv;
  /** The command line, recorded as the lock holder. */
  command?: string;
  /** The arguments as typed (after `tform`), for the run log; secrets are masked there. */
  argv?: string[];
  /** How notifications are delivered (tests inject the wait between retries). */
  delivery?: DeliveryOptions;
  /** `--no-static-parser`: render every file through the template engine (no static fast path). */
  staticParser?: boolean;
  /** `--no-partial-parse`: ignore the parse cache of the previous compile (a fresh one is still written). */
  partialParse?: boolean;
}

export interface SelectionOptions {
  select?: string[];
  exclude?: string[];
  /** `--selector name` from selectors.yml. */
  selector?: string;
  /** Artifacts of an earlier run (`--state`), for state: and result: selectors and --defer. */
  state?: import('./state.js').StateArtifacts;
}
