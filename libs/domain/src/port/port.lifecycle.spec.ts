import type { DomainEventBody } from '@cp/events';
import { spec } from '../testing/given-when-then';
import { portDecider } from './port.decider';
import { created, network, ref } from './port.fixtures';

const { given } = spec(portDecider);
const base: DomainEventBody = { type: 'PortCreated', data: created };
const bound: DomainEventBody = { type: 'PortBoundToHost', data: { ...ref, host: 'compute-1', previousHost: '' } };
const up: DomainEventBody = { type: 'PortActivated', data: { ...ref, host: 'compute-1' } };
const reportUp = (host: string) => ({ type: 'ReportPortUp' as const, data: { id: 'port1', host } });
const reportDown = (host: string) => ({ type: 'ReportPortDown' as const, data: { id: 'port1', host } });

describe('port decider: status and deletion', () => {
  it('goes ACTIVE when its bound host reports it up, once', () => {
    given([base, bound]).when(reportUp('compute-1')).thenEvents([up]);
    given([base, bound, up]).when(reportUp('compute-1')).thenEvents([]);
  });

  it('refuses an up report from a host it is not bound to', () => {
    given([base, bound])
      .when(reportUp('compute-2'))
      .thenRejected(409, 'PortNotBoundToHost', /bound to host compute-1/);
    given([base])
      .when(reportUp('compute-1'))
      .thenRejected(409, 'PortNotBoundToHost', /not bound to any host/);
  });

  it('goes DOWN when reported down while ACTIVE, and otherwise ignores the report', () => {
    given([base, bound, up])
      .when(reportDown('compute-1'))
      .thenEvents([{ type: 'PortDeactivated', data: { ...ref, host: 'compute-1' } }]);
    given([base, bound]).when(reportDown('compute-1')).thenEvents([]);
    const moved: DomainEventBody = { type: 'PortBoundToHost', data: { ...ref, host: 'compute-2', previousHost: 'compute-1' } };
    const upThere: DomainEventBody = { type: 'PortActivated', data: { ...ref, host: 'compute-2' } };
    given([base, bound, up, moved, upThere]).when(reportDown('compute-1')).thenEvents([]);
  });

  it('folds status and binding from the stream', () => {
    const s = given([base, bound, up]).state;
    expect(s.status === 'active' && [s.port.status, s.port.hostId]).toEqual(['ACTIVE', 'compute-1']);
    const unbound = given([base, bound, up, { type: 'PortUnbound', data: { ...ref, previousHost: 'compute-1' } }]).state;
    expect(unbound.status === 'active' && [unbound.port.status, unbound.port.hostId]).toEqual(['DOWN', '']);
  });

  it('ignores events that are not its own', () => {
    const s = given([base]).state;
    expect(portDecider.evolve(s, { type: 'NetworkCreated', data: network })).toBe(s);
    expect(portDecider.evolve(portDecider.initialState(), up)).toEqual({ status: 'absent' });
  });

  it('deletes with the host it was bound to, then is gone', () => {
    const deleted: DomainEventBody = { type: 'PortDeleted', data: { ...ref, host: 'compute-1' } };
    given([base, bound, up])
      .when({ type: 'DeletePort', data: { id: 'port1' } })
      .thenEvents([deleted]);
    given([base, bound, up, deleted])
      .when({ type: 'DeletePort', data: { id: 'port1' } })
      .thenRejected(404, 'PortNotFound');
    given([base, bound, up, deleted]).when(reportUp('compute-1')).thenRejected(404, 'PortNotFound');
    given([]).when(reportDown('compute-1')).thenRejected(404, 'PortNotFound');
  });
});
