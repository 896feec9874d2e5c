import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';
import { HttpException } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { neutronError } from './neutron-error';

export interface InputLimits {
  /** Largest request body in bytes (Neutron caps them; 413 beyond). */
  maxBody: number;
  /** Bodies of agent reports (`/v1/agents`, `/v1/hosts`) are small by nature: a large one is refused before it is parsed. */
  maxAgentBody: number;
  /** Nesting depth of a JSON body. */
  maxDepth: number;
  /** Keys of all the objects of a JSON body together. */
  maxKeys: number;
}

const MiB = 1024 * 1024;
export const DEFAULT_INPUT_LIMITS: InputLimits = { maxBody: MiB, maxAgentBody: 64 * 1024, maxDepth: 32, maxKeys: 20_000 };

const AGENT_PATHS = /^\/v1\/(agents|hosts)\//;
/** C0 controls and DEL; in body strings tab, line feed and carriage return are text. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex -- as above
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** A refusal with Neutron's body, which the exception filter answers as it is. */
const refusal = (status: number, type: string, message: string) => new HttpException(neutronError(type, message), status);
const refuse = (reply: FastifyReply, status: number, type: string, message: string) =>
  void reply.code(status).send(neutronError(type, message));

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
 * The path is checked as the request arrives; the body by the one content-type parser
 * (Fastify's own are removed), which Fastify calls for the methods that carry one.
 */
export function inputChecks(fastify: FastifyInstance, limits: InputLimits = DEFAULT_INPUT_LIMITS): void {
  const tooLargeReport = `Request is too large: an agent report is at most ${limits.maxAgentBody} bytes.`;
  const tooLarge = `Request is too large: the body exceeds ${limits.maxBody % MiB === 0 ? `${limits.maxBody / MiB} MiB` : `${limits.maxBody} bytes`}.`;
  fastify.addHook('onRequest', (request, reply, done) => {
    const why = badPath(request.originalUrl);
    if (why) return refuse(reply, 400, 'HTTPBadRequest', `Malformed request URL: ${why}.`);
    // Announced sizes are refused before a byte is read; chunked bodies by the parser's own limit.
    const announced = Number(request.headers['content-length'] ?? 0);
    if (announced > limits.maxAgentBody && AGENT_PATHS.test(request.url))
      return refuse(reply, 413, 'RequestEntityTooLarge', tooLargeReport);
    if (announced > limits.maxBody) return refuse(reply, 413, 'RequestEntityTooLarge', tooLarge);
    done();
  });
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (request, payload, done) => {
    if (!hasBody(request.raw)) return done(null, undefined);
    if (!isJson(request.raw)) {
      return done(refusal(415, 'HTTPUnsupportedMediaType', `The request body must be JSON (Content-Type: application/json).`));
    }
    const report = AGENT_PATHS.test(request.url);
    readJson(request, payload, report ? limits.maxAgentBody : limits.maxBody).then(
      (body) => {
        const why = badStructure(body, limits);
        if (why) return done(refusal(400, 'HTTPBadRequest', `Body contains invalid data: ${why}.`));
        done(null, body);
      },
      (err: Error) => {
        if (err instanceof TooLarge) return done(refusal(413, 'RequestEntityTooLarge', report ? tooLargeReport : tooLarge));
        done(err);
      },
    );
  });
}

class TooLarge extends Error {}

/** The body, inflated if it is compressed, read up to `limit` bytes, as JSON (any JSON value, as Neutron reads it). */
function readJson(request: FastifyRequest, payload: IncomingMessage, limit: number): Promise<unknown> {
  const encoding = String(request.headers['content-encoding'] ?? 'identity').toLowerCase();
  const charset = /;\s*charset=("?)([^";]+)\1/i.exec(String(request.headers['content-type'] ?? ''))?.[2].toLowerCase();
  if (charset && charset !== 'utf-8' && charset !== 'utf8') {
    return Promise.reject(refusal(415, 'HTTPUnsupportedMediaType', `Unsupported charset "${charset.toUpperCase()}"`));
  }
  let stream: Readable = payload;
  if (encoding === 'gzip') stream = payload.pipe(createGunzip());
  else if (encoding === 'deflate') stream = payload.pipe(createInflate());
  else if (encoding !== 'identity') {
    return Promise.reject(refusal(415, 'HTTPUnsupportedMediaType', `Unsupported content encoding "${encoding}"`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      // Stop reading: what is left of the body is not ours to buffer.
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.resume();
      reject(new TooLarge());
    };
    const onEnd = () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks, size).toString('utf8')) as unknown);
      } catch (err) {
        reject(refusal(400, 'HTTPBadRequest', `Malformed request body: ${(err as Error).message}`));
      }
    };
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', (err) => reject(refusal(400, 'HTTPBadRequest', `Malformed request body: ${err.message}`)));
  });
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
