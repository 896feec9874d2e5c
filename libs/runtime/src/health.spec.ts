import { Readiness } from './health';

const check = (name: string, ok: boolean, critical = true) => ({ name, critical, run: () => Promise.resolve({ ok }) });

describe('Readiness', () => {
  it('is ready when every critical check passes; non-critical failures are reported only', async () => {
    const r = new Readiness().add(check('store', true)).add(check('relay', false, false));
    expect(await r.evaluate()).toEqual({
      ready: true,
      checks: { store: { ok: true, critical: true }, relay: { ok: false, critical: false } },
    });
    r.add(check('projector', false));
    expect((await r.evaluate()).ready).toBe(false);
  });

  it('turns a hung or throwing check into a failure instead of hanging the probe', async () => {
    const r = new Readiness()
      .add({ name: 'hung', critical: true, run: () => new Promise(() => undefined) })
      .add({ name: 'broken', critical: true, run: async () => Promise.reject(new Error('connection refused')) });
    const res = await r.evaluate(50);
    expect(res.ready).toBe(false);
    expect(res.checks.hung).toMatchObject({ ok: false, detail: 'timed out after 50 ms' });
    expect(res.checks.broken).toMatchObject({ ok: false, detail: 'connection refused' });
  });

  it('is unready from the moment a shutdown begins', async () => {
    const r = new Readiness().add(check('store', true));
    r.drain();
    expect(await r.evaluate()).toMatchObject({ ready: false, checks: { shutdown: { ok: false } } });
  });
});
