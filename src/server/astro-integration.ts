import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AstroIntegration } from 'astro';

/**
 * The course's runtimes inside Astro's own commands, registered in astro.config.mjs:
 *   - `astro dev`: the local runner's /api/* endpoints (the same handler server/serve.mjs mounts),
 *     so Check works while writing the course;
 *   - `astro build`: the prebuilt WebContainer tree (scripts/build-webcontainer-bundle.mjs) is
 *     written next to the built pages, so a static host has it.
 *
 * Both modules are loaded with Node's own `import()` at hook time, not through the Vite instance
 * that loads the config: the graders import each other by file URL and start worker threads,
 * which only work as plain Node modules.
 */

/** Node's dynamic import, out of reach of the bundler that loads this file. */
const nativeImport = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

const projectFile = (path: string) => new URL(`../../${path}`, import.meta.url).href;

export function backendWorkflowRuntimes(): AstroIntegration {
  let clientDir: URL | undefined;
  let close: (() => Promise<void>) | undefined;
  return {
    name: 'backend-workflow-runtimes',
    hooks: {
      'astro:config:done': ({ config }) => {
        // Pages of a server build land in build.client; of a static one, in outDir.
        clientDir = config.adapter ? config.build.client : config.outDir;
      },
      'astro:config:setup': ({ command, updateConfig, logger }) => {
        if (command !== 'dev') return;
        updateConfig({
          vite: {
            plugins: [
              {
                name: 'backend-workflow-local-runner',
                enforce: 'post',
                // The returned function runs after Astro has put its own middleware (trailing
                // slashes, 404 pages) at the front of the stack: this one goes in front of those.
                configureServer(server) {
                  return async () => {
                    const { createLocalRunner } = (await nativeImport(projectFile('src/server/local-runner.ts'))) as typeof import('./local-runner.ts');
                    const runner = createLocalRunner();
                    close = () => runner.close();
                    const handle = (request: IncomingMessage, response: ServerResponse, next: () => void) => {
                      if (!runner.handle(request, response)) next();
                    };
                    server.middlewares.stack.unshift({ route: '', handle });
                    server.httpServer?.once('close', () => void runner.close());
                    logger.info('local runner: /api/* grades with the course engine');
                  };
                },
              },
            ],
          },
        });
      },
      'astro:server:done': async () => {
        await close?.();
      },
      'astro:build:done': async ({ logger }) => {
        if (!clientDir) return;
        const { writeWebContainerBundle } = (await nativeImport(pathToFileURL(fileURLToPath(projectFile('scripts/build-webcontainer-bundle.mjs'))).href)) as {
          writeWebContainerBundle(outDir: string): Promise<{ index: { grader: { bytes: number } }; files: number; ms: number }>;
        };
        const { index, files, ms } = await writeWebContainerBundle(fileURLToPath(clientDir));
        logger.info(`WebContainer tree: ${(index.grader.bytes / 1024 / 1024).toFixed(1)} MB, ${files} files (${ms} ms)`);
      },
    },
  };
}
