// Builds widget/dist/store-chat.js: the widget's modules, its CSS and the vendored
// socket.io client in one file, so a shop page needs a single script tag. The vendored
// client runs in its own scope (it neither reads nor overwrites the page's `io`).
// Usage: node widget/build.mjs [--out FILE] [--check]
import { readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const VERSION = "1.0.0";
const MODULES = ["protocol", "storage", "transcript", "text", "connection", "view", "widget"];
const args = process.argv.slice(2);
const out = args.includes("--out") ? args[args.indexOf("--out") + 1] : join(here, "dist", "store-chat.js");

const read = (p) => readFileSync(join(here, p), "utf8");
const vendor = read("vendor/socket.io.min.js").replace(/\/\/# sourceMappingURL=.*$/m, "");
const own = [
  `var VERSION = ${JSON.stringify(VERSION)};`,
  "var SCRIPT_ORIGIN = (function () { try { var s = document.currentScript; return s && s.src ? new URL(s.src).origin : null; } catch (e) { return null; } })();",
  `var CSS = ${JSON.stringify(read("widget.css"))};`,
  ...MODULES.map((m) => `/* ---- src/${m}.js ---- */\n${read(`src/${m}.js`)}`),
  "window.StoreChat = StoreChat;",
].join("\n");
const bundle = [
  `/*! StoreChat widget ${VERSION}. Bundles socket.io-client (MIT, see vendor/socket.io-client.LICENSE). */`,
  "(function () {",
  '"use strict";',
  "var BUNDLED_IO = (function () { var module = { exports: {} }, exports = module.exports, define;",
  vendor,
  "return module.exports; })();",
  own,
  "})();",
  "",
].join("\n");

const gz = (s) => gzipSync(Buffer.from(s), { level: 9 }).length;
const sizes = { own_bytes: Buffer.byteLength(own), own_gzip: gz(own), vendor_gzip: gz(vendor), bundle_gzip: gz(bundle) };

if (args.includes("--check")) {
  const current = readFileSync(out, "utf8");
  if (current !== bundle) {
    console.error(`${out} is out of date: run node widget/build.mjs`);
    process.exit(1);
  }
} else {
  writeFileSync(out, bundle);
}
console.log(JSON.stringify(sizes));
