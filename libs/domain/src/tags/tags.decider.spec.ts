import { spec } from '../testing/given-when-then';
import { tagsDecider } from './tags.decider';

const { given } = spec(tagsDecider);
const ref = { resourceType: 'network' as const, resourceId: 'n1', projectId: 'p1', networkId: null };
const wasSet = (tags: string[]) => ({ type: 'ResourceTagsSet' as const, data: { ...ref, tags } });

describe('tags decider', () => {
  it('replaces the tags with the given set, sorted and without repeats', () => {
    given([wasSet(['old'])])
      .when({ type: 'SetTags', data: { ...ref, tags: ['red', 'blue', 'red'] } })
      .thenEvents([wasSet(['blue', 'red'])]);
  });

  it('adds and removes one tag; a change that changes nothing records nothing', () => {
    given([wasSet(['red'])])
      .when({ type: 'AddTag', data: { ...ref, tag: 'green' } })
      .thenEvents([wasSet(['green', 'red'])]);
    given([wasSet(['red'])])
      .when({ type: 'AddTag', data: { ...ref, tag: 'red' } })
      .thenEvents([]);
    given([wasSet(['green', 'red'])])
      .when({ type: 'RemoveTag', data: { ...ref, tag: 'red' } })
      .thenEvents([wasSet(['green'])]);
  });

  it('starts untagged when the stream makes the resource again (a default group recreated)', () => {
    const recreated = {
      type: 'SecurityGroupCreated' as const,
      data: { id: 'g', projectId: 'p1', name: 'default', description: '', isDefault: true, stateful: true },
    };
    given([wasSet(['red']), recreated])
      .when({ type: 'AddTag', data: { ...ref, tag: 'red' } })
      .thenEvents([wasSet(['red'])]);
  });

  it('answers 404 TagNotFound for a tag the resource does not have', () => {
    given([wasSet(['red'])])
      .when({ type: 'RemoveTag', data: { ...ref, tag: 'blue' } })
      .thenRejected(404, 'TagNotFound', /^Tag blue could not be found for network n1\.$/);
  });
});
