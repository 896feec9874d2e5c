import { API_TAGS, Tagged } from '@cp/runtime';
import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import {
  NETWORK,
  WRITE_SIDE,
  type WriteSide,
  fixedIpsFilter,
  forCaller,
  PORT,
  PORT_ATTRIBUTES,
  type Body as Resource,
} from '@cp/write-model';
import { Ctx } from '../platform/ctx.decorator';
import { NeutronBody } from '../platform/neutron-body.decorator';
import { applyListQuery, selectFields, type Query as ListQuery } from '../platform/list-query';
import type { RequestContext } from '../platform/request-context';
import { validateBody } from '../platform/validate-body';
import { bulkInputs } from '../platform/bulk';
import { canSeePort, showsBinding } from './port-policy';
import { createPortInput, updatePortInput } from './port.input';
import { PortsService } from './ports.service';

@Tagged(API_TAGS.ports)
@Controller('v2.0/ports')
export class PortsController {
  constructor(
    private readonly ports: PortsService,
    @Inject(WRITE_SIDE) private readonly ws: WriteSide,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List ports visible to the caller; fixed_ips=ip_address=... and fixed_ips=subnet_id=... filter by address' })
  async list(@Ctx() ctx: RequestContext, @Query() q: ListQuery) {
    const owned = ctx.isAdmin
      ? new Map<unknown, Resource>()
      : new Map((await this.ws.resources.list(NETWORK, { projectId: ctx.projectId })).map((n) => [n.id, n]));
    const all = await this.ws.resources.list(PORT);
    const visible = all.filter((p) => canSeePort(ctx, p, owned.get(p.network_id) ?? null)).map((p) => forCaller(p, showsBinding(ctx, p)));
    return applyListQuery('ports', visible, q, { attributes: PORT_ATTRIBUTES, custom: { fixed_ips: fixedIpsFilter } });
  }

  @Get(':id')
  async show(@Ctx() ctx: RequestContext, @Param('id') id: string, @Query() q: ListQuery) {
    return { port: selectFields(await this.ports.show(ctx, id), q) };
  }

  @NeutronBody('port', createPortInput)
  @Post()
  @HttpCode(201)
  async create(@Ctx() ctx: RequestContext, @Body() body: unknown) {
    const bulk = bulkInputs('port', 'ports', createPortInput, body);
    if (bulk) return { ports: await this.ports.createMany(ctx, bulk) };
    return { port: await this.ports.create(ctx, validateBody('port', createPortInput, body)) };
  }

  @NeutronBody('port', updatePortInput)
  @Put(':id')
  async update(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown) {
    return { port: await this.ports.update(ctx, id, validateBody('port', updatePortInput, body)) };
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await this.ports.remove(ctx, id);
  }
}
