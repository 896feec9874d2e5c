import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import { ensureTopic, type KafkaLogger, type TopicSpec } from './kafka-client';

/**
 * The relay's connection to the topic: creates the topic once, then sends through
 * an idempotent producer (acks=all, one request in flight, so per-partition order
 * holds across kafkajs' retries). `reset` throws the producer away after a failure,
 * so a fenced or confused idempotent session cannot wedge the relay.
 */
export class RelayProducer {
  private producer: Producer | null = null;
  private topicReady = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly spec: TopicSpec,
    private readonly log: KafkaLogger,
  ) {}

  async send(messages: Message[]): Promise<void> {
    if (!this.topicReady) {
      const actual = await ensureTopic(this.kafka, this.spec);
      if (actual !== this.spec.partitions) {
        this.log.warn(
          { topic: this.spec.topic, partitions: actual, configured: this.spec.partitions },
          'relay: topic exists with another partition count; using it as is',
        );
      }
      this.topicReady = true;
    }
    const producer = await this.connected();
    await producer.send({ topic: this.spec.topic, acks: -1, messages });
  }

  async reset(): Promise<void> {
    const p = this.producer;
    this.producer = null;
    await p?.disconnect().catch(() => undefined);
  }

  private async connected(): Promise<Producer> {
    if (this.producer) return this.producer;
    const producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // Java's murmur2 placement, so clients in other languages agree on a key's partition.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    try {
      await producer.connect();
    } catch (err) {
      await producer.disconnect().catch(() => undefined);
      throw err;
    }
    this.producer = producer;
    return producer;
  }
}
