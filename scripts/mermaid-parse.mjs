// Parses mermaid files with mermaid's own parser (the one the renderer runs), in Node with a
// jsdom window: `node scripts/mermaid-parse.mjs FILE...`. Prints `ok FILE` or `FAIL FILE: why`
// per file; exits 1 when any fails. Used by scripts/check-mermaid.
import fs from 'node:fs';
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!DOCTYPE html><body></body>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
globalThis.DOMParser = dom.window.DOMParser;
globalThis.Element = dom.window.Element;
const mermaid = (await import('mermaid')).default;
mermaid.initialize({ startOnLoad: false });

let failed = 0;
for (const file of process.argv.slice(2)) {
  try {
    await mermaid.parse(fs.readFileSync(file, 'utf8'));
    console.log(`ok   ${file}`);
  } catch (error) {
    failed += 1;
    console.log(`FAIL ${file}: ${String(error?.message ?? error)}`);
  }
}
process.exit(failed ? 1 : 0);
