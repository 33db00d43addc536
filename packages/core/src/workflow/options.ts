import type { BuiltinAdapters } from '../adapter/registry.js';
import type { Logger } from '../log/logger.js';

/** What every command takes: the common flags of the CLI, as data. */
export interface CommonOptions {
  projectDir: string;
  profilesDir?: string;
  target?: string;
  /** `--vars` as given (YAML or JSON text), or already parsed. */
  vars?: string | Record<string, unknown>;
  now?: string;
  threads?: number;
  logger: Logger;
  builtins: BuiltinAdapters;
  env?: NodeJS.ProcessEnv;
  /** The command line, recorded as the lock holder. */
  command?: string;
}

export interface SelectionOptions {
  select?: string[];
  exclude?: string[];
  /** `--selector name` from selectors.yml. */
  selector?: string;
  /** Artifacts of an earlier run (`--state`), for state: and result: selectors and --defer. */
  state?: import('./state.js').StateArtifacts;
}
