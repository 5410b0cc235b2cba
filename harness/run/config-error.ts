/** A bad run setting (flag or config file). Exit 2; the message names the setting. */
import { UsageError } from '../errors.ts';

export class ConfigError extends UsageError {}
