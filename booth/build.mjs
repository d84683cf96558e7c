// Builds the booth and the public pages into the Python package's static folder, which
// `vecha serve` serves: one bundle per page (our code, @noble's curves and hashes, and the
// language catalogs), the stylesheet, and the pages' HTML from one template. Everything
// the browser loads comes from the ballot box's own origin; nothing is fetched at run time.
// The output is committed and CI checks that rebuilding it gives the same bytes.
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

import * as esbuild from "esbuild";

// `node build.mjs [DIR]`: DIR (default the package's static folder) receives the pages.
const OUT = process.argv[2]
  ? pathToFileURL(`${resolve(process.argv[2])}/`)
  : new URL("../src/vecha/server/static/", import.meta.url);
const PAGES = {
  "index.html": "index",
  "booth.html": "booth",
  "board.html": "board",
  "turnout.html": "turnout",
  "results.html": "results",
  "register.html": "register",
  "review.html": "review",
  "handin.html": "handin",
  "install.html": "install",
};
// Only the page for voters abroad links the web app manifest: nothing else offers to install.
const HEAD_EXTRA = { "install.html": '<link rel="manifest" href="/manifest.webmanifest">\n' };

rmSync(OUT, { recursive: true, force: true });
mkdirSync(new URL("js/", OUT), { recursive: true });

await esbuild.build({
  entryPoints: Object.values(PAGES).map((name) => `src/${name}.js`),
  outdir: new URL("js/", OUT).pathname,
  bundle: true,
  format: "esm",
  target: "es2022",
  splitting: true, // the crypto and the catalogs in shared chunks, loaded once
  chunkNames: "chunks/[name]-[hash]",
  minify: false, // readable: anyone can audit what their browser runs
  legalComments: "inline",
  charset: "utf8",
  logLevel: "warning",
});

// The installed booth's service worker, at the root so that its scope is the whole site.
await esbuild.build({
  entryPoints: ["src/sw.js"],
  outfile: new URL("sw.js", OUT).pathname,
  bundle: true,
  format: "iife",
  target: "es2022",
  minify: false,
  legalComments: "inline",
  charset: "utf8",
  logLevel: "warning",
});

copyFileSync(new URL("src/vecha.css", import.meta.url), new URL("vecha.css", OUT));
copyFileSync(new URL("src/manifest.webmanifest", import.meta.url), new URL("manifest.webmanifest", OUT));
mkdirSync(new URL("icons/", OUT), { recursive: true });
for (const icon of ["icon-192.png", "icon-512.png"]) copyFileSync(new URL(`src/icons/${icon}`, import.meta.url), new URL(`icons/${icon}`, OUT));

for (const [file, script] of Object.entries(PAGES)) {
  writeFileSync(
    new URL(file, OUT),
    `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Vecha</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/vecha.css">
${HEAD_EXTRA[file] ?? ""}<script type="module" src="/js/${script}.js"></script>
</head>
<body>
<header id="site-header"></header>
<main id="main" tabindex="-1">
<noscript><p>This page needs JavaScript: your ballot is encrypted in your browser. Гэтая старонка патрабуе JavaScript. Этой странице нужен JavaScript.</p></noscript>
</main>
</body>
</html>
`,
  );
}
