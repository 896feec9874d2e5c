import type { EntitySchema } from '@mikro-orm/core';
import type { Database, InlineProjection } from '../../../../libs/store/src';
import { networkMapper } from '../networks/network.view';
import type { ResourceMapper } from './resource-mapper';

/** Every API slice's mapper into the `resources` read model. */
export const RESOURCE_MAPPERS: ResourceMapper[] = [networkMapper];

/** Unique indexes maintained with each append (MAC/IP claims, group usage...). */
export const WRITE_INDEXES: Array<{ table: EntitySchema; create(db: Database): InlineProjection }> = [];
