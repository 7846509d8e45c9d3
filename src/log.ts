import pino, { type Logger } from 'pino';

/**
 * Paths that could ever carry secret material are censored, as a second line of
 * defence: the code never hands values to the logger in the first place.
 */
const REDACT = [
  'data', '*.data', 'stringData', '*.stringData', 'secretString', '*.secretString', 'secretBinary', '*.secretBinary',
  'token', '*.token', 'credentials', '*.credentials', 'secretAccessKey', '*.secretAccessKey', 'sessionToken', '*.sessionToken',
];

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino({
    name: 'aws-secrets-operator',
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    redact: { paths: REDACT, censor: '[redacted]' },
    base: undefined,
  }, options.destination);
}
