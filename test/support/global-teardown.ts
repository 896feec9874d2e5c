/**
 * Jest global teardown: stops the Kafka broker that global setup started (if it started one;
 * a broker given through KAFKA_BROKERS belongs to whoever started it and is left alone).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';

import { type KafkaBroker, stopKafkaByStateFile } from './kafka-broker';
import { KAFKA_HANDLE_KEY, kafkaHandoffFile } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const globals = globalThis as Record<symbol, unknown>;
  const broker = globals[KAFKA_HANDLE_KEY] as KafkaBroker | undefined;
  const handoff = kafkaHandoffFile();
  try {
    if (broker) {
      await broker.stop();
    } else if (existsSync(handoff)) {
      // Setup ran in this process but its globals are not visible here: use the file.
      const { stateFile } = JSON.parse(readFileSync(handoff, 'utf8')) as { stateFile: string };
      await stopKafkaByStateFile(stateFile);
    }
  } catch (err) {
    // Never fail a finished test run over cleanup; start.sh's owner watcher stops the broker
    // anyway once this process exits.
    console.warn(`[global-teardown] stopping the Kafka broker failed: ${(err as Error).message}`);
  } finally {
    // Setup exported this address; drop it so a re-run in the same process (jest --watch)
    // starts a new broker instead of pointing at the stopped one.
    if (broker || existsSync(handoff)) delete process.env.KAFKA_BROKERS;
    delete globals[KAFKA_HANDLE_KEY];
    rmSync(handoff, { force: true });
  }
}
