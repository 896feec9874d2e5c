import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { repoRoot } from '@cp/runtime';

/** The page's files: plain HTML and JS beside this source (no build step), and the graph library's browser bundle. */
const STATIC = join(repoRoot(), 'apps', 'api', 'src', 'ui', 'static');
const read = (path: string) => readFileSync(path, 'utf8');

/**
 * The live topology page, `/ui`: a static page drawing hosts, networks, ports
 * and HA routers from the public API the agents and operators already use, so
 * it sees what its caller may see (a Keystone token typed into the page is sent
 * with every call). Public itself: it holds no data.
 */
@ApiExcludeController()
@Controller('ui')
export class UiController {
  private readonly files = {
    index: read(join(STATIC, 'index.html')),
    app: read(join(STATIC, 'app.js')),
    cytoscape: read(require.resolve('cytoscape/dist/cytoscape.min.js')),
  };

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  index(): string {
    return this.files.index;
  }

  @Get('app.js')
  @Header('content-type', 'text/javascript; charset=utf-8')
  app(): string {
    return this.files.app;
  }

  @Get('vendor/cytoscape.min.js')
  @Header('content-type', 'text/javascript; charset=utf-8')
  @Header('cache-control', 'public, max-age=86400')
  cytoscape(): string {
    return this.files.cytoscape;
  }
}
