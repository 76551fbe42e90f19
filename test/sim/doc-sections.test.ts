import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LOCAL_SECTIONS_START, localSections, withLocalSections } from '../../sim/doc-sections.js';

describe('the sections of docs/BENCHMARKS.md that come from long local runs', () => {
  it('are what the soak and twin summaries in docs/ render (npm run bench:sections rewrites them)', () => {
    const doc = readFileSync('docs/BENCHMARKS.md', 'utf8');
    expect(withLocalSections(doc)).toBe(doc);
  });

  it('replace everything from the first of them on, or are appended', () => {
    const rendered = localSections().join('\n');
    expect(rendered.startsWith(LOCAL_SECTIONS_START)).toBe(true);
    expect(withLocalSections('# B\n\ntext\n')).toBe(`# B\n\ntext\n\n${rendered}`.replace(/\n*$/, '\n'));
    expect(withLocalSections(`# B\n\ntext\n${LOCAL_SECTIONS_START} (old)\nold figures\n`)).toBe(withLocalSections('# B\n\ntext\n'));
  });
});
