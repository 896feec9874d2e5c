/** A minimal JSON client for the demo: fails loudly with Neutron's error message. */
export function demoClient(base: string) {
  /** `T`: the body the caller expects from this endpoint (the demo trusts the API it drives; nothing is checked). */
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(base + path, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const json: unknown = text ? JSON.parse(text) : {};
    if (!res.ok) {
      const err = (json as { NeutronError?: { type: string; message: string } }).NeutronError;
      throw new Error(`${method} ${path} -> ${res.status} ${err ? `${err.type}: ${err.message}` : text}`);
    }
    return json as T;
  };
  return {
    get: <T>(path: string) => call<T>('GET', path),
    post: <T>(path: string, body?: unknown) => call<T>('POST', path, body),
    put: <T>(path: string, body?: unknown) => call<T>('PUT', path, body),
  };
}
export type DemoClient = ReturnType<typeof demoClient>;
