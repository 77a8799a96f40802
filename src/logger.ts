// The process logger (pino, JSON lines on stdout). Credentials and tokens never reach a log line:
// Fastify's request serializer logs no headers, and these paths are censored anyway in case a
// header set, a config object or an SDK credential object is ever logged.
import pino, { type DestinationStream, type Logger } from 'pino';

export const REDACTED_PATHS = [
  // The bearer token Metacontroller sends (and any other credential header).
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'request.headers.authorization',
  'headers.authorization',
  'headers["proxy-authorization"]',
  'authorization',
  'token',
  '*.token',
  // AWS credentials, as the SDK names them and as the environment does.
  'credentials',
  '*.credentials',
  'secretAccessKey',
  '*.secretAccessKey',
  'sessionToken',
  '*.sessionToken',
  'AWS_SECRET_ACCESS_KEY',
  '*.AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  '*.AWS_SESSION_TOKEN',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
