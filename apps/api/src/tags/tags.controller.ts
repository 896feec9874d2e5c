import { API_TAGS, Tagged } from '@cp/runtime';
import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { z } from 'zod';
import { tag as tagSchema } from '@cp/events';
import { fail } from '@cp/write-model';
import { Ctx } from '../platform/ctx.decorator';
import type { RequestContext } from '../platform/request-context';
import { validateBody } from '../platform/validate-body';
import { TagsService } from './tags.service';

const tagsInput = z.strictObject({ tags: z.array(tagSchema) });

/** A tag named in the URL is judged as one in a body would be. */
function checkedTag(tag: string): string {
  const parsed = tagSchema.safeParse(tag);
  if (!parsed.success) fail(400, 'HTTPBadRequest', `Invalid input for tag. Reason: ${parsed.error.issues[0].message}.`);
  return parsed.data;
}

@Tagged(API_TAGS.tags)
@Controller('v2.0/:collection/:id/tags')
export class TagsController {
  constructor(private readonly tags: TagsService) {}

  @Get()
  @ApiOperation({ summary: "A resource's tags (networks, subnets, ports, routers, security-groups)" })
  async list(@Ctx() ctx: RequestContext, @Param('collection') collection: string, @Param('id') id: string) {
    return { tags: await this.tags.list(ctx, collection, id) };
  }

  @Put()
  @ApiOperation({ summary: 'Replace all of its tags' })
  async replace(@Ctx() ctx: RequestContext, @Param('collection') collection: string, @Param('id') id: string, @Body() body: unknown) {
    // The body is `{"tags": [...]}` itself, with no resource key around it.
    const { tags } = validateBody('tags', tagsInput, { tags: body });
    return { tags: await this.tags.change(ctx, collection, id, (ref) => ({ type: 'SetTags', data: { ...ref, tags } })) };
  }

  @Delete()
  @HttpCode(204)
  async clear(@Ctx() ctx: RequestContext, @Param('collection') collection: string, @Param('id') id: string): Promise<void> {
    await this.tags.change(ctx, collection, id, (ref) => ({ type: 'SetTags', data: { ...ref, tags: [] } }));
  }

  @Get(':tag')
  @HttpCode(204)
  async has(@Ctx() ctx: RequestContext, @Param('collection') c: string, @Param('id') id: string, @Param('tag') tag: string): Promise<void> {
    await this.tags.has(ctx, c, id, tag);
  }

  @Put(':tag')
  @HttpCode(201)
  async add(@Ctx() ctx: RequestContext, @Param('collection') c: string, @Param('id') id: string, @Param('tag') tag: string): Promise<void> {
    const checked = checkedTag(tag);
    await this.tags.change(ctx, c, id, (ref) => ({ type: 'AddTag', data: { ...ref, tag: checked } }));
  }

  @Delete(':tag')
  @HttpCode(204)
  async remove(
    @Ctx() ctx: RequestContext,
    @Param('collection') c: string,
    @Param('id') id: string,
    @Param('tag') tag: string,
  ): Promise<void> {
    await this.tags.change(ctx, c, id, (ref) => ({ type: 'RemoveTag', data: { ...ref, tag } }));
  }
}
