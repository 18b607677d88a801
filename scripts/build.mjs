// Bundle src/main.ts (every command) into dist/contexta.cjs, and src/record-main.ts
// (the record commands alone, the start-up hot path; bin/contexta picks the bundle)
// into dist/record.cjs. Command modules stay lazily evaluated (dynamic imports become
// deferred module inits), so `record` calls skip the renderers. A V8 code cache for
// each bundle is produced next to it.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import Module from 'node:module';
import { Script } from 'node:vm';

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

// `import * as fs from 'node:fs'` makes esbuild wrap the module in a fresh namespace copy
// (__toESM: a getter per export, ~100 for fs) at every importing module, 15 of them on the
// record path: ~2-4 ms of CPU per start. Our modules get one shared ES module per builtin
// instead, re-exporting its plain values (accessors such as fs.promises are left out: read
// eagerly they would load what they defer; using one fails the build, below).
const SHARED_BUILTINS = /^node:(fs|path)$/;
const sharedBuiltins = {
  name: 'shared-builtins',
  setup(b) {
    b.onResolve({ filter: SHARED_BUILTINS }, (args) =>
      args.kind === 'import-statement' && args.namespace === 'file' && !args.importer.includes(`${path.sep}node_modules${path.sep}`)
        ? { path: args.path, namespace: 'shared-builtin' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'shared-builtin' }, (args) => {
      // Asked of a fresh CommonJS process: importing a builtin as ESM (as this script does)
      // runs its lazy getters, which then look like plain values.
      const list = `const m = require(${JSON.stringify(args.path)}); console.log(JSON.stringify(Object.keys(m).filter((k) => !Object.getOwnPropertyDescriptor(m, k).get)))`;
      const names = JSON.parse(execFileSync(process.execPath, ['-e', list], { encoding: 'utf8' })).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k));
      return { contents: `import m from '${args.path}';\nexport const { ${names.join(', ')} } = m;\nexport default m;\n`, loader: 'js' };
    });
  },
};

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

// The build's identity: diagnoses the read cache remembers are used only by the same build.
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
const sources = readdirSync(path.join(root, 'src'), { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.ts'))
  .sort();
const buildHash = createHash('sha256');
for (const f of sources) buildHash.update(`${f}\0`).update(readFileSync(path.join(root, 'src', f))).update('\0');
const buildId = buildHash.digest('base64url').slice(0, 16);

// One non-ASCII character anywhere makes V8 hold the whole 1 MB source as a two-byte
// string, and reading it at every start costs more. esbuild escapes non-ASCII in code
// (charset ascii) but keeps some comments as written (`…` in an object literal's
// comment): those are escaped here, which changes nothing. Anywhere else it fails the build.
async function keepAscii(file) {
  const lines = (await readFile(file, 'utf8')).split('\n');
  let changed = false;
  lines.forEach((line, i) => {
    if (!/[^\x00-\x7f]/.test(line)) return;
    const comment = /^(\s*\/\/)(.*)$/.exec(line);
    if (!comment) throw new Error(`${file}:${i + 1}: non-ASCII outside a comment (update scripts/build.mjs): ${line.slice(0, 200)}`);
    lines[i] = comment[1] + comment[2].replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    changed = true;
  });
  if (changed) await writeFile(file, lines.join('\n'));
}
const BUNDLES = [
  { entry: 'src/main.ts', name: 'contexta' },
  { entry: 'src/record-main.ts', name: 'record' },
];
await Promise.all(
  BUNDLES.map(({ entry, name }) =>
    build({
      entryPoints: [path.join(root, entry)],
      outfile: path.join(root, `dist/${name}.cjs`),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      minifySyntax: true,
      legalComments: 'none',
      logLevel: 'warning',
      plugins: [lazyChildProcess, sharedBuiltins],
      define: { __CONTEXTA_BUILD__: JSON.stringify(buildId) },
    }).then((result) => {
      // An export left out above (or misspelt) would be undefined at run time: refuse it.
      const missing = result.warnings.filter((w) => w.id === 'import-is-undefined');
      if (missing.length) throw new Error(`${entry}: ${missing.map((w) => `${w.location?.file}:${w.location?.line}: ${w.text}`).join('; ')}`);
      return keepAscii(path.join(root, `dist/${name}.cjs`));
    }),
  ),
);

// Warm each code cache on the hot path (`record metric`) in a throwaway workspace; the
// full bundle is made to run it with CONTEXTA_FULL_CLI, so its cache holds the start-up
// every command shares.
import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
for (const { name } of BUNDLES) {
  const cacheFile = path.join(root, `dist/${name}.cjs.cache`);
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
      {
        env: { ...process.env, CONTEXTA_WRITE_CODE_CACHE: cacheFile, CONTEXTA_FULL_CLI: name === 'contexta' ? '1' : '' },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  // A cache that is missing or that V8 rejects would silently cost every call its compile time.
  const bundle = path.join(root, `dist/${name}.cjs`);
  const check = new Script(Module.wrap(readFileSync(bundle).toString('latin1')), { filename: bundle, cachedData: readFileSync(cacheFile) });
  if (check.cachedDataRejected !== false) throw new Error(`${cacheFile}: V8 rejects the code cache it was just given`);
}
