import { readFileSync, writeFileSync } from 'node:fs';
import { soakSection } from './soak-section.js';
import { twinSection } from './twin-section.js';

/**
 * The sections of docs/BENCHMARKS.md that come from long local runs (`npm run soak`, `npm run twin`), rendered
 * from their summaries. bench:doc writes them at the end of the document; `npm run bench:sections` rewrites
 * only them, so a new soak or twin run does not need the whole benchmark again.
 */
export const LOCAL_SECTIONS_START = '## Soak under chaos';

export function localSections(): string[] {
  return [...soakSection(), ...twinSection()];
}

/** The document with everything from the first local section on replaced by the current rendering. */
export function withLocalSections(doc: string): string {
  const at = doc.indexOf(LOCAL_SECTIONS_START);
  const head = (at < 0 ? doc : doc.slice(0, at)).replace(/\n*$/, '\n\n');
  return `${head}${localSections().join('\n')}`.replace(/\n*$/, '\n');
}

if (process.argv[1]?.endsWith('doc-sections.ts')) {
  const path = 'docs/BENCHMARKS.md';
  writeFileSync(path, withLocalSections(readFileSync(path, 'utf8')));
  process.stdout.write(`${path}: soak and twin sections rewritten from their summaries\n`);
}
