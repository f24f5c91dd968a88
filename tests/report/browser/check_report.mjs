// Opens a pipehost report in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core)
// and prints what a person would see, as one JSON line: console errors, requests that left the file,
// every chart's size and the counts drawn for one property. Writes a full-page screenshot.
// Usage: node check_report.mjs REPORT_HTML SCREENSHOT_PNG PROFILE_DIR PROPERTY
import { chromium } from 'playwright-core';
import { pathToFileURL } from 'node:url';

const [report, screenshot, profile, property] = process.argv.slice(2);

const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1280, height: 900 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const result = { console_errors: [], page_errors: [], requests: [], charts: [], counts: {} };
try {
  const page = context.pages()[0] ?? await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') result.console_errors.push(m.text()); });
  page.on('pageerror', (e) => result.page_errors.push(String(e)));
  page.on('request', (r) => { if (!r.url().startsWith('file:')) result.requests.push(r.url()); });
  await page.goto(pathToFileURL(report).href, { waitUntil: 'load' });
  result.title = await page.title();
  result.charts = await page.$$eval('svg.chart', (svgs) => svgs.map((svg) => {
    const box = svg.getBoundingClientRect();
    return { label: svg.getAttribute('aria-label'), width: box.width, height: box.height,
             shapes: svg.querySelectorAll('rect').length };
  }));
  result.counts = await page.$$eval(`article[data-property="${property}"] g[data-count]`, (bars) =>
    Object.fromEntries(bars.map((g) => [g.getAttribute('data-label'), Number(g.getAttribute('data-count'))])));
  result.visible_text = await page.$eval(`article[data-property="${property}"]`, (a) => a.innerText);
  await page.screenshot({ path: screenshot, fullPage: true });
} finally {
  await context.close();
}
console.log(JSON.stringify(result));
