import { API_TAGS, Tagged } from '@cp/runtime';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { FLOATINGIP_ATTRIBUTES } from '@cp/write-model';
import { Ctx } from '../platform/ctx.decorator';
import { applyListQuery, selectFields, type Query as ListQuery } from '../platform/list-query';
import { NeutronBody } from '../platform/neutron-body.decorator';
import type { RequestContext } from '../platform/request-context';
import { validateBody } from '../platform/validate-body';
import { canSee } from '../platform/visibility';
import { createFloatingIpInput, updateFloatingIpInput } from './floating-ip.input';
import { FloatingIpsService } from './floating-ips.service';

@Tagged(API_TAGS.floatingIps)
@Controller('v2.0/floatingips')
export class FloatingIpsController {
  constructor(private readonly fips: FloatingIpsService) {}

  @Get()
  @ApiOperation({ summary: 'List floating IPs visible to the caller (filters, fields, sort, pagination)' })
  async list(@Ctx() ctx: RequestContext, @Query() q: ListQuery) {
    const visible = await this.fips.list(ctx, (b) => canSee(ctx, 'floatingip', b));
    return applyListQuery('floatingips', visible, q, { attributes: FLOATINGIP_ATTRIBUTES });
  }

  @Get(':id')
  async show(@Ctx() ctx: RequestContext, @Param('id') id: string, @Query() q: ListQuery) {
    return { floatingip: selectFields(await this.fips.show(ctx, id), q) };
  }

  @NeutronBody('floatingip', createFloatingIpInput)
  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Take an address on an external network, optionally mapped to a port behind a router' })
  async create(@Ctx() ctx: RequestContext, @Body() body: unknown) {
    return { floatingip: await this.fips.create(ctx, validateBody('floatingip', createFloatingIpInput, body)) };
  }

  @NeutronBody('floatingip', updateFloatingIpInput)
  @Put(':id')
  @ApiOperation({ summary: 'Associate (port_id) or disassociate (port_id: null) the floating IP, or change its description' })
  async update(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown) {
    return { floatingip: await this.fips.update(ctx, id, validateBody('floatingip', updateFloatingIpInput, body)) };
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await this.fips.remove(ctx, id);
  }
}
