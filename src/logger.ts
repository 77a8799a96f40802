// The process logger (pino, JSON lines on stdout). Credentials and tokens never reach a log line:
// Fastify's request serializer logs no headers, and these paths are censored anyway in case a
// header set, a config object or an SDK credential object is ever logged.
import type { FastifyBaseLogger } from 'fastify';
import pino, { type ChildLoggerOptions, type DestinationStream, type Logger } from 'pino';

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
  // Node's HTTP parser errors carry the request's raw bytes (its headers, so the token); Fastify's
  // default client-error handler logged them at trace. Ours (src/http/client-error.ts) logs only the
  // code; this stays in case such an error is ever logged whole.
  'rawPacket',
  '*.rawPacket',
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

type Bindings = Record<string, unknown>;

/** Whether a line at `method` gets through `level` (pino's numbers; `silent` lets nothing through, an unknown name everything). */
function levelEnabled(method: string, level: string): boolean {
  const values = pino.levels.values;
  const line = values[method];
  const threshold = level === 'silent' ? Infinity : values[level];
  return line === undefined || threshold === undefined || line >= threshold;
}

/**
 * Fastify gives every request a child logger bound to its request id. With pino's redaction a child
 * costs ~20 us: a sixth of an echo's whole answer (profiled), for a path that logs nothing. This child
 * is made on first use; a request that never logs never makes one. A first `child()` call binds the
 * request id and its own bindings in one pino child.
 */
export class LazyChildLogger implements FastifyBaseLogger {
  private made: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  private get real(): FastifyBaseLogger {
    return (this.made ??= this.parent.child(this.bindings, this.options));
  }

  get level(): string {
    return this.made?.level ?? this.options.level ?? this.parent.level;
  }
  set level(value: string) {
    this.real.level = value;
  }

  fatal(...args: unknown[]): void {
    this.call('fatal', args);
  }
  error(...args: unknown[]): void {
    this.call('error', args);
  }
  warn(...args: unknown[]): void {
    this.call('warn', args);
  }
  info(...args: unknown[]): void {
    this.call('info', args);
  }
  debug(...args: unknown[]): void {
    this.call('debug', args);
  }
  trace(...args: unknown[]): void {
    this.call('trace', args);
  }
  silent(...args: unknown[]): void {
    this.call('silent', args);
  }

  private call(method: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent', args: unknown[]): void {
    // A line below the level is dropped anyway: not worth making the child for (a flood of 401s, which
    // log at debug, then costs no logger per request either).
    if (!this.made && !levelEnabled(method, this.level)) return;
    const real = this.real;
    Reflect.apply(real[method], real, args);
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    if (this.made) return this.made.child(bindings, options);
    return this.parent.child({ ...this.bindings, ...bindings }, { ...this.options, ...options });
  }
}

export function lazyChildLoggerFactory(logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  return new LazyChildLogger(logger, bindings, options);
}
