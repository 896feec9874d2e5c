import { API_TAGS, Tagged } from '@cp/runtime';
import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { Ctx } from '../platform/ctx.decorator';
import { NeutronBody } from '../platform/neutron-body.decorator';
import { applyListQuery, selectFields, type Query as ListQuery } from '../platform/list-query';
import type { RequestContext } from '../platform/request-context';
import { validateBody } from '../platform/validate-body';
import { bulkInputs } from '../platform/bulk';
import { canSee } from '../platform/visibility';
import { WRITE_SIDE, type WriteSide, NETWORK, NETWORK_ATTRIBUTES } from '@cp/write-model';
import { createNetworkInput, updateNetworkInput } from './network.input';
import { NetworksService } from './networks.service';

@Tagged(API_TAGS.networks)
@Controller('v2.0/networks')
export class NetworksController {
  constructor(
    private readonly networks: NetworksService,
    @Inject(WRITE_SIDE) private readonly ws: WriteSide,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List networks visible to the caller (filters, fields, sort, pagination)' })
  async list(@Ctx() ctx: RequestContext, @Query() q: ListQuery) {
    const all = await this.ws.resources.list(NETWORK);
    return applyListQuery(
      'networks',
      all.filter((b) => canSee(ctx, 'network', b)),
      q,
      { attributes: NETWORK_ATTRIBUTES },
    );
  }

  @Get(':id')
  async show(@Ctx() ctx: RequestContext, @Param('id') id: string, @Query() q: ListQuery) {
    return { network: selectFields(await this.networks.show(ctx, id), q) };
  }

  @NeutronBody('network', createNetworkInput)
  @Post()
  @HttpCode(201)
  async create(@Ctx() ctx: RequestContext, @Body() body: unknown) {
    const bulk = bulkInputs('network', 'networks', createNetworkInput, body);
    if (bulk) return { networks: await this.networks.createMany(ctx, bulk) };
    return { network: await this.networks.create(ctx, validateBody('network', createNetworkInput, body)) };
  }

  @NeutronBody('network', updateNetworkInput)
  @Put(':id')
  async update(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown) {
    return this.networks.update(ctx, id, validateBody('network', updateNetworkInput, body));
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await this.networks.remove(ctx, id);
  }
}
