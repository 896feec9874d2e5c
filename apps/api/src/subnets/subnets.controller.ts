import { API_TAGS, Tagged } from '@cp/runtime';
import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { type Body as ResourceBody, NETWORK, WRITE_SIDE, type WriteSide, SUBNET, SUBNET_ATTRIBUTES } from '@cp/write-model';
import { Ctx } from '../platform/ctx.decorator';
import { NeutronBody } from '../platform/neutron-body.decorator';
import { applyListQuery, selectFields, type Query as ListQuery } from '../platform/list-query';
import type { RequestContext } from '../platform/request-context';
import { validateBody } from '../platform/validate-body';
import { bulkInputs } from '../platform/bulk';
import { canSeeSubnet } from './subnet-access';
import { createSubnetInput, updateSubnetInput } from './subnet.input';
import { SubnetsService } from './subnets.service';

@Tagged(API_TAGS.subnets)
@Controller('v2.0/subnets')
export class SubnetsController {
  constructor(
    private readonly subnets: SubnetsService,
    @Inject(WRITE_SIDE) private readonly ws: WriteSide,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List subnets visible to the caller (filters, fields, sort, pagination)' })
  async list(@Ctx() ctx: RequestContext, @Query() q: ListQuery) {
    const networks = new Map((await this.ws.resources.list(NETWORK)).map((n) => [n.id, n]));
    const all = await this.ws.resources.list(SUBNET);
    const visible = all.filter((s) => canSeeSubnet(ctx, s, networks.get(s.network_id) ?? null));
    // `shared` is no attribute of a subnet, but Neutron filters on its network's (subnets of shared networks).
    const shared = (subnet: ResourceBody, wanted: string) =>
      String(networks.get(subnet.network_id)?.shared === true) === wanted.toLowerCase();
    return applyListQuery('subnets', visible, q, { attributes: SUBNET_ATTRIBUTES, custom: { shared } });
  }

  @Get(':id')
  async show(@Ctx() ctx: RequestContext, @Param('id') id: string, @Query() q: ListQuery) {
    return { subnet: selectFields(await this.subnets.show(ctx, id), q) };
  }

  @NeutronBody('subnet', createSubnetInput)
  @Post()
  @HttpCode(201)
  async create(@Ctx() ctx: RequestContext, @Body() body: unknown) {
    const bulk = bulkInputs('subnet', 'subnets', createSubnetInput, body);
    if (bulk) return { subnets: await this.subnets.createMany(ctx, bulk) };
    return { subnet: await this.subnets.create(ctx, validateBody('subnet', createSubnetInput, body)) };
  }

  @NeutronBody('subnet', updateSubnetInput)
  @Put(':id')
  async update(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown) {
    return { subnet: await this.subnets.update(ctx, id, validateBody('subnet', updateSubnetInput, body)) };
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await this.subnets.remove(ctx, id);
  }
}
