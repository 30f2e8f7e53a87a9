import {chromium} from 'playwright-core'
const [file, out, selector] = process.argv.slice(2)
const browser = await chromium.launch({executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--headless']})
const page = await browser.newPage({viewport: {width: 1000, height: 900}, deviceScaleFactor: 1})
await page.goto('file://' + file)
await page.locator(selector).first().screenshot({path: out})
await browser.close()
