/** A minimal JSON client for the demo: fails loudly with Neutron's error message. */
export function demoClient(base: string) {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(base + path, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const json = text ? (JSON.parse(text) as Record<string, any>) : {};
    if (!res.ok) {
      const err = json.NeutronError as { type: string; message: string } | undefined;
      throw new Error(`${method} ${path} -> ${res.status} ${err ? `${err.type}: ${err.message}` : text}`);
    }
    return json;
  };
  return {
    get: (path: string) => call('GET', path),
    post: (path: string, body?: unknown) => call('POST', path, body),
    put: (path: string, body?: unknown) => call('PUT', path, body),
  };
}
export type DemoClient = ReturnType<typeof demoClient>;
