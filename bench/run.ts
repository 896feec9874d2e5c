import 'reflect-metadata';
import { Command, Option } from 'commander';
import { machine, writeResult, type Result } from './lib/machine';
import { runApi, type ApiOptions } from './scenarios/api';
import { runAuth, type AuthOptions } from './scenarios/auth';
import { runFanout, type FanoutOptions } from './scenarios/fanout';
import { runIpam, type IpamOptions } from './scenarios/ipam';
import { runEventIndexes, type EventIndexesOptions } from './scenarios/event-indexes';
import { runHaRouters, type HaRoutersOptions } from './scenarios/ha-routers';
import { runProjection, type ProjectionOptions } from './scenarios/projection';
import { runTimeTravel, type TimeTravelOptions } from './scenarios/time-travel';
import { runPropagation, type PropagationOptions } from './scenarios/propagation';
import { runScaleOut, type ScaleOutOptions } from './scenarios/scale-out';
import { writeReport } from './report';

/*
 * npm run bench -- <api|auth|propagation|projection|time-travel|fanout|ha-routers|all|report> [options]
 * Each scenario writes bench/results/<scenario>-<timestamp>.json; `all` and
 * `report` then regenerate summary.md, chart.svg and the README's bench section.
 */
const list = (v: string) =>
  v
    .split(',')
    .map((x) => Number(x.trim()))
    .filter((x) => Number.isFinite(x) && x > 0);
const log = (s: string) => process.stderr.write(`${s}\n`);

type Outcome = { figures: unknown; notes: string[] };
async function record(scenario: string, options: Record<string, unknown>, body: () => Promise<Outcome>): Promise<void> {
  const startedAt = new Date().toISOString();
  const m = machine();
  if (m.loadAverage > 0.5) log(`warning: load average ${m.loadAverage} on ${m.cores} cores: other work will skew the figures`);
  const { figures, notes } = await body();
  const result: Result = { scenario, startedAt, finishedAt: new Date().toISOString(), machine: m, options, figures, notes };
  log(`wrote ${writeResult(result)}`);
}

const program = new Command().name('bench').description('Benchmarks of the event-sourced control plane (see README, "Benchmarks")');

const api = new Command('api')
  .description('port create + bind + up through the HTTP API, embedded mode, at several concurrencies and cloud sizes')
  .option('--sizes <list>', 'ports already in the cloud before each measurement', list, [1000, 3000, 10_000])
  .option('--concurrency <list>', 'requests in flight', list, [1, 16, 64])
  .option('--ops <n>', 'port lifecycles (3 operations each) per concurrency level', Number, 200)
  .option('--level-seconds <n>', 'longest a concurrency level may run', Number, 20)
  .addOption(new Option('--sync <modes>', 'CP_SQLITE_SYNCHRONOUS modes to run').default('FULL,NORMAL'))
  .option('--no-profile', 'skip the CPU profile of the control plane');
const auth = new Command('auth')
  .description('the API benchmark with Keystone tokens (a real Keystone, cached validation) against noauth, alternating rounds')
  .option('--ports <n>', 'ports already in the cloud', Number, 1000)
  .option('--concurrency <list>', 'requests in flight', list, [1, 16])
  .option('--ops <n>', 'port lifecycles (3 operations each) per level', Number, 300)
  .option('--rounds <n>', 'noauth/keystone rounds', Number, 3)
  .option('--level-seconds <n>', 'longest a level may run', Number, 20);
const propagation = new Command('propagation')
  .description("port-up acknowledged by the API -> change on every affected host's watch stream")
  .option('--hosts <list>', 'hosts with an agent watching', list, [50, 200, 1000])
  .option('--samples <n>', 'port-ups measured per size', Number, 200)
  .option('--load <n>', 'also measure with this many port-ups in flight (0: skip)', Number, 16)
  .addOption(
    new Option('--transport <t>', 'embedded mode, distributed mode via Kafka, or both')
      .choices(['embedded', 'kafka', 'both'])
      .default('both'),
  );
const ipam = new Command('ipam')
  .description('port create latency with an automatic address as one subnet fills')
  .option('--sizes <list>', 'ports on the subnet before each measurement', list, [1000, 4000, 16_000])
  .option('--creates <n>', 'single creates measured per size', Number, 300);
const eventIndexes = new Command('event-indexes')
  .description(
    "what the events table's audit indexes cost an append: SQLite with all nine b-trees and without the six the audit filters use",
  )
  .option('--events <n>', 'events appended into each fresh store', Number, 200_000)
  .option('--group <n>', 'events per transaction', Number, 10)
  .option('--rounds <n>', 'runs of each variant, alternating', Number, 2);
const scaleOut = new Command('scale-out')
  .description(
    'distributed mode on one broker with 1, 2, 4 l2pop-projector and 1, 2 API instances: events/s per instance, split, duplicates, CPU per event, propagation',
  )
  .option('--hosts <n>', 'hosts with an agent watching', Number, 200)
  .option('--projectors <list>', 'l2pop-projector instances to try', list, [1, 2, 4])
  .option('--apis <list>', 'API instances to try', list, [1, 2])
  .option('--samples <n>', 'port-ups measured per configuration', Number, 300)
  .option('--load <n>', 'port-ups in flight', Number, 16);
const projection = new Command('projection')
  .description('L2 and L3 read models rebuilt from a generated history: events/s, rebuild time, RSS')
  .option('--sizes <list>', 'events in the store', list, [10_000, 100_000, 1_000_000])
  .option('--cap-seconds <n>', 'longest one rebuild may run (then extrapolated)', Number, 50)
  .option('--no-profile', 'skip the CPU profile when a target is missed')
  .option('--keep', 'keep the generated event stores');
const timeTravel = new Command('time-travel')
  .description("a host's L2 document at a point far back in a long log (?at=): from a snapshot, from 0, asked again")
  .option('--events <n>', 'events in the store', Number, 1_000_000)
  .option('--back <n>', 'how far back the points are', Number, 500_000)
  .option('--samples <n>', 'distinct points per case', Number, 5)
  .option('--snapshot-lead <n>', 'events between the snapshot kept and the points', Number, 2_000);
const fanout = new Command('fanout')
  .description("notifications and bytes to agents per port-up vs Neutron l2pop's full fan-out")
  .option('--hosts <list>', 'cloud sizes (hosts), same per-network layout', list, [100, 1000, 5000])
  .option('--networks <n>', 'tenant networks (the same at every size)', Number, 250)
  .option('--samples <n>', 'port-ups measured per size', Number, 200);

const haRouters = new Command('ha-routers')
  .description('HA routers on many network nodes: scheduling, batched HA state reports, every interface port ACTIVE, a failover')
  .option('--routers <n>', 'HA routers, one tenant subnet each', Number, 300)
  .option('--hosts <n>', 'network nodes, each with the reference L3 agent', Number, 20);

program.addCommand(api.action((o: ApiOptions) => record('api', { ...o }, () => runApi(o, log))));
program.addCommand(auth.action((o: AuthOptions) => record('auth', { ...o }, () => runAuth(o, log))));
program.addCommand(propagation.action((o: PropagationOptions) => record('propagation', { ...o }, () => runPropagation(o, log))));
program.addCommand(projection.action((o: ProjectionOptions) => record('projection', { ...o }, () => runProjection(o, log))));
program.addCommand(ipam.action((o: IpamOptions) => record('ipam', { ...o }, () => runIpam(o, log))));
program.addCommand(eventIndexes.action((o: EventIndexesOptions) => record('event-indexes', { ...o }, () => runEventIndexes(o, log))));
program.addCommand(scaleOut.action((o: ScaleOutOptions) => record('scale-out', { ...o }, () => runScaleOut(o, log))));
program.addCommand(timeTravel.action((o: TimeTravelOptions) => record('time-travel', { ...o }, () => runTimeTravel(o, log))));
program.addCommand(fanout.action((o: FanoutOptions) => record('fanout', { ...o }, () => runFanout(o, log))));
program.addCommand(haRouters.action((o: HaRoutersOptions) => record('ha-routers', { ...o }, () => runHaRouters(o, log))));
program.addCommand(
  new Command('all').description('every scenario at its default sizes, then the report').action(async () => {
    for (const cmd of [api, propagation, projection, fanout, haRouters, scaleOut]) await cmd.parseAsync([], { from: 'user' });
    writeReport(log);
  }),
);
program.addCommand(
  new Command('report').description('summary.md, chart.svg and the README section from the latest results').action(() => writeReport(log)),
);

program.parseAsync(process.argv).catch((err) => {
  log(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
