import type { TaggableKind } from '@cp/events';
import { assertNever, notFound, type Decider, type Decision, type Events } from '../decider';

/** A resource's tags, folded from its own stream (the other events of the stream are not this decider's). */
export interface TagsState {
  tags: readonly string[];
}

/** The tagged resource: its kind and id, and its project and network (for the event's partition key). */
export interface TagRef {
  resourceType: TaggableKind;
  resourceId: string;
  projectId: string;
  networkId: string | null;
}

export type TagsCommand =
  | { type: 'SetTags'; data: TagRef & { tags: readonly string[] } }
  | { type: 'AddTag'; data: TagRef & { tag: string } }
  | { type: 'RemoveTag'; data: TagRef & { tag: string } };

type TagsEvent = Events<'ResourceTagsSet'>;

function decide(command: TagsCommand, state: TagsState): Decision<TagsEvent> {
  const { resourceType, resourceId, projectId, networkId } = command.data;
  let next: string[];
  switch (command.type) {
    case 'SetTags':
      next = [...new Set(command.data.tags)].sort();
      break;
    case 'AddTag':
      next = [...new Set([...state.tags, command.data.tag])].sort();
      break;
    case 'RemoveTag':
      if (!state.tags.includes(command.data.tag)) {
        return notFound('TagNotFound', `Tag ${command.data.tag} could not be found for ${resourceType} ${resourceId}.`);
      }
      next = state.tags.filter((t) => t !== command.data.tag);
      break;
    default:
      return assertNever(command);
  }
  if (next.length === state.tags.length && next.every((t, i) => t === state.tags[i])) return [];
  return [{ type: 'ResourceTagsSet', data: { resourceType, resourceId, projectId, networkId, tags: next } }];
}

/** Events that (re)create a taggable resource: a stream used again (a project's default group) starts untagged. */
const CREATED = new Set(['NetworkCreated', 'SubnetCreated', 'PortCreated', 'RouterCreated', 'SecurityGroupCreated', 'FloatingIpCreated']);

function evolve(state: TagsState, event: { type: string; data: unknown }): TagsState {
  if (CREATED.has(event.type)) return { tags: [] };
  return event.type === 'ResourceTagsSet' ? { tags: (event as TagsEvent).data.tags } : state;
}

/** Neutron's standard-attr-tag: a set of strings on any taggable resource, changed whole or one at a time. */
export const tagsDecider: Decider<TagsCommand, TagsState, TagsEvent> = {
  decide,
  evolve,
  initialState: () => ({ tags: [] }),
};
