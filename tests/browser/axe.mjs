// axe-core (npm, tests only) run inside a page: the WCAG 2.2 A and AA rules.
// Used by a11y.test.mjs over every page and by deadlines_flow.test.mjs over
// the pages only a moved clock shows (overdue, missed). The script is put in
// through the DevTools protocol (page.evaluate), which the pages' CSP does
// not govern, so the pages themselves stay as served.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

// Every page checked, with its violations (for the summary a test may print).
export const checked = [];

// The WCAG A/AA violations on PAGE as it is now: [{id, impact, help, nodes:[target, html]}].
export async function violations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
  return page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(' ')} :: ${n.html.slice(0, 160)} :: ${n.failureSummary.replace(/\s+/g, ' ').slice(0, 200)}`),
    }));
  }, TAGS);
}

// Asserts no WCAG A/AA violation on PAGE; NAME says which page in the message.
export async function assertAccessible(page, name) {
  const v = await violations(page);
  checked.push({ name, path: new URL(page.url()).pathname, violations: v.length });
  const text = v.map((x) => `  ${x.id} (${x.impact}): ${x.help}\n${x.nodes.slice(0, 5).map((n) => `    ${n}`).join('\n')}`).join('\n');
  assert.equal(v.length, 0, `${name} (${page.url()}): ${v.length} WCAG violation(s)\n${text}`);
}
