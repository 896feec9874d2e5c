import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { neutronError } from './neutron-error';

export interface InputLimits {
  /** Largest request body (Neutron caps them; 413 beyond). */
  maxBody: string;
  /** Bodies of agent reports (`/v1/agents`, `/v1/hosts`) are small by nature: a large one is refused before it is parsed. */
  maxAgentBody: number;
  /** Nesting depth of a JSON body. */
  maxDepth: number;
  /** Keys of all the objects of a JSON body together. */
  maxKeys: number;
}

export const DEFAULT_INPUT_LIMITS: InputLimits = { maxBody: '1mb', maxAgentBody: 64 * 1024, maxDepth: 32, maxKeys: 20_000 };

const AGENT_PATHS = /^\/v1\/(agents|hosts)\//;
/** C0 controls and DEL; in body strings tab, line feed and carriage return are text. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex -- as above
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

const refuse = (res: Response, status: number, type: string, message: string) => void res.status(status).json(neutronError(type, message));

/**
 * The checks every HTTP entry point runs before a request reaches a
 * controller, the same in embedded and distributed mode, on SQLite and
 * PostgreSQL alike, so bad input is refused with Neutron's body and changes
 * nothing:
 *  - the path: no control characters, no encoded `/` or `\`, no `.`/`..` segments (ids are
 *    path segments; one that climbs or splits is not an id);
 *  - the body: JSON only (415 otherwise: a form a browser page can post is not an API call; a PUT
 *    without a Content-Type is read as JSON, as Neutron does, since neutron-tempest-plugin's updates
 *    send none, and no page can send a cross-origin PUT without the CORS preflight we never grant),
 *    at most `maxBody` (agent reports at most `maxAgentBody`), no deeper than `maxDepth`,
 *    no more than `maxKeys` keys, no control characters in strings (NUL cannot even be stored
 *    by PostgreSQL).
 */
export function inputChecks(limits: InputLimits = DEFAULT_INPUT_LIMITS): RequestHandler[] {
  const parse = express.json({ limit: limits.maxBody, strict: false, type: isJson });
  const parseReport = express.json({ limit: limits.maxAgentBody, strict: false, type: isJson });
  const tooLargeReport = () => `Request is too large: an agent report is at most ${limits.maxAgentBody} bytes.`;
  return [
    (req: Request, res: Response, next: NextFunction) => {
      const why = badPath(req.originalUrl);
      if (why) return refuse(res, 400, 'HTTPBadRequest', `Malformed request URL: ${why}.`);
      if (!hasBody(req)) return next();
      if (!isJson(req)) {
        return refuse(res, 415, 'HTTPUnsupportedMediaType', `The request body must be JSON (Content-Type: application/json).`);
      }
      // Announced sizes are refused before a byte is read; chunked bodies by the parser's own limit.
      const report = AGENT_PATHS.test(req.path);
      if (report && Number(req.headers['content-length'] ?? 0) > limits.maxAgentBody) {
        return refuse(res, 413, 'RequestEntityTooLarge', tooLargeReport());
      }
      if (!report) return parse(req, res, next);
      parseReport(req, res, (err?: unknown) =>
        (err as { type?: string } | undefined)?.type === 'entity.too.large'
          ? refuse(res, 413, 'RequestEntityTooLarge', tooLargeReport())
          : next(err),
      );
    },
    (req: Request, res: Response, next: NextFunction) => {
      if (!hasBody(req)) return next();
      const why = badStructure(req.body, limits);
      if (why) return refuse(res, 400, 'HTTPBadRequest', `Body contains invalid data: ${why}.`);
      next();
    },
  ];
}

function hasBody(req: IncomingMessage): boolean {
  return Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
}

function isJson(req: IncomingMessage): boolean {
  if (req.headers['content-type'] === undefined && req.method === 'PUT') return true;
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

/** Why a request target is refused, or null. */
function badPath(url: string): string | null {
  const path = url.split('?')[0];
  if (/%2f|%5c/i.test(path)) return 'an encoded "/" or "\\" in the path';
  let decoded: string;
  try {
    decoded = decodeURIComponent(url);
  } catch {
    return 'a malformed percent-encoding';
  }
  if (CONTROL.test(decoded)) return 'a control character';
  if (path.split('/').some((s) => ['.', '..', '%2e', '%2e%2e', '.%2e', '%2e.'].includes(s.toLowerCase()))) return 'a "." or ".." segment';
  return null;
}

/** Why a parsed body is refused, or null. Iterative: a deep body must not exhaust the stack it is meant to protect. */
function badStructure(body: unknown, limits: InputLimits): string | null {
  let keys = 0;
  const stack: Array<{ value: unknown; depth: number }> = [{ value: body, depth: 1 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (typeof value === 'string') {
      if (CONTROL_IN_TEXT.test(value)) return 'a control character in a string';
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth > limits.maxDepth) return `nested deeper than ${limits.maxDepth} levels`;
    const entries = Array.isArray(value) ? value.map((v) => ['', v] as const) : Object.entries(value);
    keys += Array.isArray(value) ? 0 : entries.length;
    if (keys > limits.maxKeys) return `more than ${limits.maxKeys} keys`;
    for (const [key, v] of entries) {
      if (CONTROL.test(key)) return 'a control character in a key';
      stack.push({ value: v, depth: depth + 1 });
    }
  }
  return null;
}

/**
 * Requests Node refuses before any handler runs (headers over 16 KiB, a
 * malformed request line) get Neutron's error body too instead of an empty one.
 */
export function neutronClientErrors(server: Server): void {
  server.removeAllListeners('clientError');
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) return socket.destroy();
    const [status, reason, type, message] =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'RequestHeaderFieldsTooLarge', 'The request line and headers exceed 16 KiB.']
        : [400, 'Bad Request', 'HTTPBadRequest', 'Malformed HTTP request.'];
    const body = JSON.stringify(neutronError(type, message));
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
