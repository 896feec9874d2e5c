import { ChangeBatcher, type ChangeAsk } from './change-batcher';

describe('ChangeBatcher', () => {
  it('serves the reads of one turn together, one call per format, each caller its own document', async () => {
    const calls: Array<{ format: string | undefined; hosts: string[] }> = [];
    const batcher = new ChangeBatcher<string>((asks: ChangeAsk[], format) => {
      calls.push({ format, hosts: asks.map((a) => a.host) });
      return Promise.resolve(asks.map((a) => `${a.host}@${a.since}/${format}`));
    });
    const docs = await Promise.all([
      batcher.read({ host: 'c1', since: '1-1', format: 'entries' }),
      batcher.read({ host: 'c2', since: '1-2', format: 'entries' }),
      batcher.read({ host: 'c1', since: '1-0', format: 'lists' }),
      batcher.read({ host: 'c3', since: null, format: 'entries' }),
    ]);
    expect(docs).toEqual(['c1@1-1/entries', 'c2@1-2/entries', 'c1@1-0/lists', 'c3@null/entries']);
    expect(calls).toEqual([
      { format: 'entries', hosts: ['c1', 'c2', 'c3'] },
      { format: 'lists', hosts: ['c1'] },
    ]);
    // A later turn is a new batch.
    await batcher.read({ host: 'c4', since: '1-4', format: 'entries' });
    expect(calls).toHaveLength(3);
  });

  it("a failed read fails its format's callers only", async () => {
    const batcher = new ChangeBatcher<string>((asks, format) =>
      format === 'lists' ? Promise.reject(new Error('database gone')) : Promise.resolve(asks.map((a) => a.host)),
    );
    const [ok, failed] = await Promise.allSettled([
      batcher.read({ host: 'c1', since: '1-1', format: 'entries' }),
      batcher.read({ host: 'c2', since: '1-1', format: 'lists' }),
    ]);
    expect(ok).toEqual({ status: 'fulfilled', value: 'c1' });
    expect(failed).toMatchObject({ status: 'rejected', reason: new Error('database gone') });
  });
});
