// Regenerates docs/features.md from the feature catalog. Run: npx tsc -b && node packages/operators/scripts/features-doc.mjs
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { featureCatalogMarkdown } from "../dist/index.js";

const out = fileURLToPath(new URL("../../../docs/features.md", import.meta.url));
writeFileSync(out, featureCatalogMarkdown());
console.log(`wrote ${out}`);
