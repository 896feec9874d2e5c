import { API_TAGS, Tagged } from '@cp/runtime';
import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { Ctx } from '../platform/ctx.decorator';
import { NeutronBody } from '../platform/neutron-body.decorator';
import { applyListQuery, selectFields, type Query as ListQuery } from '../platform/list-query';
import type { RequestContext } from '../platform/request-context';
import { validateBody } from '../platform/validate-body';
import { canSee } from '../platform/visibility';
import { WRITE_SIDE, type WriteSide, ROUTER, ROUTER_ATTRIBUTES } from '@cp/write-model';
import { RouterInterfacesService } from './router-interfaces.service';
import { createRouterInput, updateRouterInput, validateInterfaceInfo } from './router.input';
import { present, RoutersService } from './routers.service';

@Tagged(API_TAGS.routers)
@Controller('v2.0/routers')
export class RoutersController {
  constructor(
    private readonly routers: RoutersService,
    private readonly interfaces: RouterInterfacesService,
    @Inject(WRITE_SIDE) private readonly ws: WriteSide,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List routers visible to the caller (filters, fields, sort, pagination)' })
  async list(@Ctx() ctx: RequestContext, @Query() q: ListQuery) {
    const all = await this.ws.resources.list(ROUTER);
    const visible = all.filter((b) => canSee(ctx, 'router', b)).map((b) => present(ctx, b));
    return applyListQuery('routers', visible, q, { attributes: ROUTER_ATTRIBUTES });
  }

  @Get(':id')
  async show(@Ctx() ctx: RequestContext, @Param('id') id: string, @Query() q: ListQuery) {
    return { router: selectFields(await this.routers.show(ctx, id), q) };
  }

  @NeutronBody('router', createRouterInput)
  @Post()
  @HttpCode(201)
  async create(@Ctx() ctx: RequestContext, @Body() body: unknown) {
    return this.routers.create(ctx, validateBody('router', createRouterInput, body));
  }

  @NeutronBody('router', updateRouterInput)
  @Put(':id')
  async update(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown) {
    return this.routers.update(ctx, id, validateBody('router', updateRouterInput, body));
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await this.routers.remove(ctx, id);
  }

  @Put(':id/add_router_interface')
  @ApiOperation({ summary: 'Attach a subnet (new port on its gateway IP) or an unused port to the router' })
  async addInterface(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown) {
    return this.interfaces.add(ctx, id, validateInterfaceInfo(body, false));
  }

  @Put(':id/remove_router_interface')
  @ApiOperation({ summary: 'Detach a subnet or port from the router (the interface port is deleted)' })
  async removeInterface(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() body: unknown) {
    return this.interfaces.remove(ctx, id, validateInterfaceInfo(body, true));
  }
}
