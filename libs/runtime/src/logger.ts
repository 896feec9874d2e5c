import type { onRequestHookHandler } from 'fastify';
import { Logger as NestLogger, type LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export type { Logger };

/** Probes and scrapes arrive every few seconds per instance: logging them would drown the rest. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * The process's root logger: one JSON object per line on stdout, ISO times, the
 * process's name on every line, so a log pipeline can tell the three apart.
 */
export function createLogger(service: string, level: LogLevel): Logger {
  return pino({
    level,
    base: { service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}

/**
 * Start-up and shutdown lines are always written (at info, whatever CP_LOG_LEVEL
 * says, unless silent): supervisors and tests wait for "listening on".
 */
export function lifecycleLogger(root: Logger): Logger {
  return root.level === 'silent' ? root : root.child({ component: 'lifecycle' }, { level: 'info' });
}

/** Nest's bootstrap chatter (one line per module and route) is debugging detail, not news. */
const NEST_INTERNALS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);

/** Nest's own messages (bootstrap, exception filter, liveness monitor) through the same pino logger. */
export function nestLogger(root: Logger): LoggerService {
  const log = root.child({ component: 'nest' });
  const write =
    (level: 'error' | 'warn' | 'info' | 'debug' | 'trace') =>
    (message: unknown, ...rest: unknown[]) => {
      const context = typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
      const at = level === 'info' && context && NEST_INTERNALS.has(context) ? 'debug' : level;
      log[at]({ context }, typeof message === 'string' ? message : JSON.stringify(message));
    };
  return {
    error: write('error'),
    warn: write('warn'),
    log: write('info'),
    debug: write('debug'),
    verbose: write('trace'),
    fatal: write('error'),
  };
}

/**
 * HTTP request logs: one line per request with method, url, status, time and
 * the Neutron request id (X-Openstack-Request-Id), so a log line leads to
 * `/v1/events?request_id=`. 5xx log at error and a request the client gave up on at warn; the rest, a
 * client's 4xx included (every `openstack` name lookup is a 404 first), at info.
 * A plain request hook rather than nestjs-pino: profiling the embedded process
 * showed pino-http's per-request child logger, and the AsyncLocalStorage it
 * enables (a hook on every promise in the process), costing ~5% of its CPU,
 * for lines that at the default level are not even written.
 */
export function requestLevel(status: number, finished: boolean): 'error' | 'warn' | 'info' {
  if (status >= 500) return 'error';
  return finished ? 'info' : 'warn';
}

export function httpLogHook(root: Logger): onRequestHookHandler {
  const log = root.child({ component: 'http' });
  return (req, reply, done) => {
    const url = req.originalUrl;
    if (QUIET_PATHS.has(url.split('?')[0])) return done();
    const start = Date.now();
    // On Node's response: an aborted request, or a stream the handler wrote itself, ends there too.
    const res = reply.raw;
    res.once('close', () => {
      const level = requestLevel(res.statusCode, res.writableFinished);
      if (!log.isLevelEnabled(level)) return;
      log[level](
        { req: { method: req.method, url }, request_id: req.requestId, res: { status: res.statusCode }, responseTime: Date.now() - start },
        res.writableFinished ? 'request completed' : 'request aborted',
      );
    });
    done();
  };
}

/**
 * Where an in-process projector says a rebuild's start and end (StoreProjector's
 * `say`): Nest's logger, so the line reaches the process's pino log.
 */
export function projectorLines(line: string): void {
  NestLogger.log(line, 'Projector');
}
