// Bundle src/main.ts into one CommonJS file. Command modules stay lazily
// evaluated (dynamic imports become deferred module inits), so `record` calls
// skip the renderers. A V8 code cache for the bundle is produced next to it.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { readFile } from 'node:fs/promises';

// commander requires child_process at load time, only to spawn executable
// subcommands (which contexta has none of); loading it is ~4 ms of every
// `record` call. Defer it to first use. Fails the build if commander changes.
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const eager = "const childProcess = require('node:child_process');";
      if (!source.includes(eager)) throw new Error(`${args.path}: expected ${eager} (update scripts/build.mjs)`);
      const lazy = "const childProcess = { get spawn() { return require('node:child_process').spawn; } };";
      return { contents: source.replace(eager, lazy), loader: 'js' };
    });
  },
};

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

// The build's identity: diagnoses the read cache remembers are used only by the same build.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
const sources = readdirSync(path.join(root, 'src'), { recursive: true })
  .filter((f) => String(f).endsWith('.ts'))
  .map(String)
  .sort();
const buildHash = createHash('sha256');
for (const f of sources) buildHash.update(`${f}\0`).update(readFileSync(path.join(root, 'src', f))).update('\0');
const buildId = buildHash.digest('base64url').slice(0, 16);

await build({
  entryPoints: [path.join(root, 'src/main.ts')],
  outfile: path.join(root, 'dist/contexta.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [lazyChildProcess],
  define: { __CONTEXTA_BUILD__: JSON.stringify(buildId) },
});

// Warm the code cache on the hot path (`record metric`) in a throwaway workspace.
import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
const cacheFile = path.join(root, 'dist/contexta.cjs.cache');
try {
  unlinkSync(cacheFile);
} catch {
  // first build
}
const scratch = mkdtempSync(path.join(tmpdir(), 'contexta-build-'));
try {
  execFileSync(
    process.execPath,
    [path.join(root, 'bin/contexta'), '--workspace', scratch, 'record', 'metric', 'warm.up', '1', '--project', 'build', '--run', 'cache'],
    // stderr piped: the warm-up's "created workspace" notice is not news; a failure still throws with it.
    { env: { ...process.env, CONTEXTA_WRITE_CODE_CACHE: cacheFile }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
