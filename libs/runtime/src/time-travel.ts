import { BadRequestException, NotImplementedException } from '@nestjs/common';
import { documentAt, HistoryQueryError, type ModelHistory } from '@cp/host-feed';
import type { Database } from '@cp/store';

/**
 * `GET /v1/hosts/{host}/<model>?at=…` for every host feed: the host's document
 * as it was at a log position or time. 400 for a point that is neither, 501
 * where the process keeps no history (distributed projectors).
 */
export async function documentAtOrFail<S>(
  history: ModelHistory | undefined,
  snapshotOf: (db: Database, host: string) => Promise<S>,
  host: string,
  at: string,
): Promise<S & { position: number }> {
  if (!history)
    throw new NotImplementedException('time travel (?at=) is served where the snapshots and the event log are: the embedded control plane');
  try {
    return await documentAt(history, snapshotOf, host, at);
  } catch (err) {
    if (err instanceof HistoryQueryError) throw new BadRequestException(err.message);
    throw err;
  }
}
