// Writes a brotli (quality 11) and a gzip (level 9) copy beside each file of
// the built app that compresses, for the server to send as they are
// (tower-http's ServeDir picks the one the browser accepts): the best
// compression, paid once per build instead of per request.
// Usage: node scripts/precompress.mjs dist
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import zlib from 'node:zlib';

const COMPRESSIBLE = /\.(wasm|js|css|html|webmanifest|ftl|svg|json)$/;

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (COMPRESSIBLE.test(name)) yield path;
  }
}

for (const path of files(process.argv[2] ?? 'dist')) {
  const bytes = readFileSync(path);
  writeFileSync(`${path}.br`, zlib.brotliCompressSync(bytes, {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
  }));
  writeFileSync(`${path}.gz`, zlib.gzipSync(bytes, { level: 9 }));
}
