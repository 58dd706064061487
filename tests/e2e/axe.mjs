// Accessibility as a check: axe-core (pinned in package.json) run in the
// page on what a person sees now, failing on any violation of WCAG 2.2 A/AA
// or axe's best practices.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const source = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa', 'best-practice'];

/** Runs axe on the page as it is and throws, naming each rule and the
 * elements it found, if anything fails. `screen` names it in the error. */
export async function audit(page, screen) {
  // Transitions and blinking marks settle first: axe reads colours as shown.
  await page.waitForTimeout(250);
  // Evaluated by the driver, not by a script in the page: the app's
  // Content Security Policy would refuse both eval and an inline script.
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(source);
  const violations = await page.evaluate(async ({ tags }) => {
    const { violations } = await window.axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    });
    return violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${n.failureSummary.split('\n').slice(1).join(' ').trim()}`),
      count: v.nodes.length,
    }));
  }, { tags: TAGS });
  if (violations.length) {
    const lines = violations.map((v) => `  ${v.id} (${v.impact}, ${v.count}):\n${v.nodes.map((n) => `    ${n}`).join('\n')}`);
    throw new Error(`axe on ${screen}:\n${lines.join('\n')}`);
  }
}

/** `audit` in the light theme and then the dark one, back to light after. */
export async function auditThemes(page, screen) {
  const failures = [];
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme });
    try {
      await audit(page, `${screen} (${colorScheme})`);
    } catch (e) {
      failures.push(e.message);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  if (failures.length) throw new Error(failures.join('\n'));
}
