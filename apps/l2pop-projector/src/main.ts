import 'reflect-metadata';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { L2popModule } from './http/l2pop.module';
import { openEmbedded } from './runtime';

/**
 * Standalone L2 read-model server over the embedded data directory: tails
 * <DATA_DIR>/events.sqlite into <DATA_DIR>/l2pop.sqlite and serves
 * /v1/hosts/{host}/l2 on L2POP_PORT (9697). Use it when the API process does not
 * embed L2popModule: two projectors must not write one read model file.
 */
async function main(): Promise<void> {
  const dataDir = process.env.DATA_DIR ?? './data';
  const port = Number(process.env.L2POP_PORT ?? 9697);
  const stores = await openEmbedded(dataDir);

  @Module({})
  class StandaloneModule {
    static register(): DynamicModule {
      return { module: StandaloneModule, imports: [L2popModule.forRoot({ db: stores.db, store: stores.store, projectorPollMs: 250 })] };
    }
  }

  const app = await NestFactory.create(StandaloneModule.register(), { logger: ['error', 'warn', 'log'] });
  await app.listen(port, process.env.L2POP_HOST ?? '127.0.0.1');
  process.stdout.write(`l2pop-projector serving ${dataDir} on ${await app.getUrl()}\n`);
  const stop = async () => {
    await app.close();
    await stores.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

void main();
