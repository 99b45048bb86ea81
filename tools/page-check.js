// Opens an exported page (scalp export --html) in headless Chromium with the network off, waits
// for the head to be drawn, then moves the time slider with the keyboard as a client would
// (Home: untreated, then ArrowRight: healed, End: 10 years) and screenshots each step.
// Prints JSON: the moments shown, requests other than the page itself (should be none) and
// the screenshots written. Usage: node tools/page-check.js PAGE.html OUT_DIR [CHROMIUM]
const path = require('path');
const { chromium } = require('playwright-core');
const [page_file, out_dir, exe = '/usr/bin/chromium'] = process.argv.slice(2);
(async () => {
  const browser = await chromium.launch({
    executablePath: exe,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--enable-unsafe-swiftshader',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-first-run', '--proxy-server=127.0.0.1:9', '--host-resolver-rules=MAP * ~NOTFOUND'],
  });
  const context = await browser.newContext({ viewport: { width: 640, height: 640 }, offline: true });
  const page = await context.newPage();
  const requests = [];
  page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('blob:') && !r.url().startsWith('data:')) requests.push(r.url()); });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto('file://' + path.resolve(page_file));
  // A locator, not waitForFunction: the page's content policy forbids the eval that one uses.
  await page.locator('body[data-state]').waitFor({ state: 'attached', timeout: 180000 });
  const state = await page.evaluate(() => document.body.dataset.state);
  const shots = [];
  const slider = page.locator('#time');
  for (const [key, name] of [['Home', 'first'], ['ArrowRight', 'second'], ['End', 'last']]) {
    await slider.focus();
    await page.keyboard.press(key);
    await page.waitForTimeout(300);
    const shown = await page.evaluate(() => document.body.dataset.shown);
    const file = path.join(out_dir, name + '.png');
    await page.screenshot({ path: file });
    shots.push({ key, shown, file });
  }
  console.log(JSON.stringify({ state, requests, errors, shots }));
  await browser.close();
})().catch((e) => { console.error(String(e)); process.exit(2); });
