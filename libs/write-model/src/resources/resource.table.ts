import { EntitySchema } from '@mikro-orm/core';

/**
 * The API's read model: each Neutron resource as the JSON body the API returns.
 * Maintained inline, in the same transaction as the events that change it, so a
 * client reads its own writes; rebuildable from the events like any read model.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- row shape is declared by the properties below
export const ResourceTable = new EntitySchema<any>({
  name: 'ResourceRow',
  tableName: 'resources',
  properties: {
    kind: { type: 'string', length: 40, primary: true },
    id: { type: 'string', length: 64, primary: true },
    projectId: { type: 'string', length: 64, fieldName: 'project_id' },
    parentId: { type: 'string', length: 64, fieldName: 'parent_id', nullable: true },
    body: { type: 'text' },
  },
  indexes: [
    { properties: ['kind', 'projectId'], name: 'resources_kind_project_idx' },
    { properties: ['kind', 'parentId'], name: 'resources_kind_parent_idx' },
  ],
});
