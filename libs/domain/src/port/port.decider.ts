import { assertNever, conflict, notFound, type Decider, type Decision, type Events } from '../decider';
import { createPort } from './port.create';
import type { CreatePortData, CreatePortFacts, PortState, UpdatePortChanges, UpdatePortFacts } from './port.types';
import { updatePort } from './port.update';

export * from './port.types';

export type PortCommand =
  | { type: 'CreatePort'; data: CreatePortData; facts: CreatePortFacts }
  | { type: 'UpdatePort'; data: { id: string; changes: UpdatePortChanges }; facts: UpdatePortFacts }
  /** The L2 agent on `host` saw the port come up. */
  | { type: 'ReportPortUp'; data: { id: string; host: string } }
  | { type: 'ReportPortDown'; data: { id: string; host: string } }
  | { type: 'DeletePort'; data: { id: string } };

export type PortEvent = Events<
  'PortCreated' | 'PortUpdated' | 'PortBoundToHost' | 'PortUnbound' | 'PortActivated' | 'PortDeactivated' | 'PortDeleted'
>;

const portNotFound = (id: string) => notFound('PortNotFound', `Port ${id} could not be found.`);

function decide(command: PortCommand, state: PortState): Decision<PortEvent> {
  switch (command.type) {
    case 'CreatePort':
      if (state.status !== 'absent') return conflict('PortExists', `Port ${command.data.id} already exists`);
      return createPort(command.data, command.facts);
    case 'UpdatePort':
      if (state.status !== 'active') return portNotFound(command.data.id);
      return updatePort(state.port, command.data.changes, command.facts);
    case 'ReportPortUp': {
      if (state.status !== 'active') return portNotFound(command.data.id);
      const { port } = state;
      const { host } = command.data;
      // A report from a host the port is not bound to is stale or misrouted; it must not light up l2pop there.
      if (port.hostId !== host) {
        const where = port.hostId === '' ? 'is not bound to any host' : `is bound to host ${port.hostId}`;
        return conflict('PortNotBoundToHost', `Port ${port.id} ${where}; host ${host} cannot report it up.`);
      }
      if (port.status === 'ACTIVE') return [];
      return [{ type: 'PortActivated', data: { id: port.id, networkId: port.networkId, projectId: port.projectId, host } }];
    }
    case 'ReportPortDown': {
      if (state.status !== 'active') return portNotFound(command.data.id);
      const { port } = state;
      // The old host reporting down after a move must not take the port down on its new host.
      if (port.status !== 'ACTIVE' || port.hostId !== command.data.host) return [];
      return [{ type: 'PortDeactivated', data: { id: port.id, networkId: port.networkId, projectId: port.projectId, host: port.hostId } }];
    }
    case 'DeletePort': {
      if (state.status !== 'active') return portNotFound(command.data.id);
      const { port } = state;
      return [{ type: 'PortDeleted', data: { id: port.id, networkId: port.networkId, projectId: port.projectId, host: port.hostId } }];
    }
    default:
      return assertNever(command);
  }
}

function evolve(state: PortState, event: { type: string; data: unknown }): PortState {
  const e = event as PortEvent;
  if (e.type === 'PortCreated') return { status: 'active', port: { ...e.data, status: 'DOWN' } };
  if (state.status !== 'active') return state;
  const port = state.port;
  switch (e.type) {
    case 'PortUpdated':
      return { status: 'active', port: { ...port, ...e.data.changes } };
    // A (re)bound port is DOWN until the new host's agent reports it up.
    case 'PortBoundToHost':
      return { status: 'active', port: { ...port, hostId: e.data.host, status: 'DOWN' } };
    case 'PortUnbound':
      return { status: 'active', port: { ...port, hostId: '', status: 'DOWN' } };
    case 'PortActivated':
      return { status: 'active', port: { ...port, status: 'ACTIVE' } };
    case 'PortDeactivated':
      return { status: 'active', port: { ...port, status: 'DOWN' } };
    case 'PortDeleted':
      return { status: 'deleted', id: port.id, networkId: port.networkId, projectId: port.projectId };
    default:
      return state;
  }
}

export const portDecider: Decider<PortCommand, PortState, PortEvent> = {
  decide,
  evolve,
  initialState: () => ({ status: 'absent' }),
};
