// What parseConfig refuses of an environment (a region given), as the list of one-line problems it
// prints at start; [] when it accepts it.
import { ConfigError, parseConfig } from '../../src/config.js';

export function configProblems(env: Record<string, string>): string[] {
  try {
    parseConfig({ AWS_REGION: 'eu-west-1', ...env });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}
