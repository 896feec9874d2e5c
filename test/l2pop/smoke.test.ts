import * as e from './support/events';
import { L2Harness } from './support/harness';

test('smoke', async () => {
  const h = await L2Harness.sqlite();
  try {
    await h.append(e.agent('c1', '10.0.0.1'), e.agent('c2', '10.0.0.2'), e.network('n1'), e.defaultGroup('sg1'));
    await h.append(e.port('p1', 'n1', { host: 'c1', ips: ['192.168.0.1'], mac: 'fa:16:3e:00:00:01', groups: ['sg1'] }), e.up('p1', 'n1', 'c1'));
    await h.append(e.port('p2', 'n1', { host: 'c2', ips: ['192.168.0.2'], mac: 'fa:16:3e:00:00:02', groups: ['sg1'] }), e.up('p2', 'n1', 'c2'));
    console.log(JSON.stringify(await h.snapshot('c1'), null, 1));
    console.log(JSON.stringify(await h.changes('c1', '1-1'), null, 1));
    await h.expectRebuiltEqualsLive();
  } finally {
    await h.close();
  }
});
