#!/usr/bin/env node
'use strict';
/**
 * The picture of the WeChat AI assistant (examples/workflows/ai-assistant.json) in n8n 2.41.1's
 * editor, for the README: the workflow imported as shipped, its two credentials pointing at the
 * gateway simulator and its model endpoint, opened in Debian's headless Chromium. Checks that
 * every node of the file is on the canvas before it takes the picture.
 *
 *   node test/browser/aiAssistant.js                 # to test-results/browser/ai-assistant.png
 *   node test/browser/aiAssistant.js --update-docs   # ... and docs/images/ai-assistant.png
 */
const fs = require('node:fs');
const path = require('node:path');

const lib = require('../../scripts/lib/instance');
const { startGatewaySimulator } = require('../../simulator/gateway');
const { ensureChromium, launchChromium } = require('./chromium');

const root = path.resolve(__dirname, '../..');
const WORKFLOW = path.join(root, 'examples', 'workflows', 'ai-assistant.json');
const SHOT = path.join(root, 'test-results', 'browser', 'ai-assistant.png');
const DOC_SHOT = path.join(root, 'docs', 'images', 'ai-assistant.png');
const OWNER = { email: 'assistant-shot@example.com', password: 'Shot-Passw0rd' };

async function main() {
	const log = lib.timedLog('ai assistant picture');
	const workflow = JSON.parse(fs.readFileSync(WORKFLOW, 'utf8'));
	const credentialOf = (key) => workflow.nodes.find((n) => n.credentials?.[key]).credentials[key];
	const sim = await startGatewaySimulator({ accounts: ['wxid_demo_sender'] });
	let instance;
	let browser;
	try {
		instance = await lib.startInstance({
			name: 'ai-assistant-shot',
			credentials: [
				{ ...credentialOf('weChatGatewayApi'), data: lib.exampleCredentials(sim.url)[0].data },
				{
					...credentialOf('openAiApi'),
					type: 'openAiApi',
					data: { apiKey: 'sk-simulated', url: `${sim.url}/v1` },
				},
			],
			workflows: [workflow],
			owner: OWNER,
			log,
		});
		const { executablePath } = await ensureChromium({ log });
		browser = await launchChromium({ executablePath, viewport: { width: 1500, height: 860 } });
		const { page } = browser;
		await page.goto(`${instance.server.url}/signin`);
		await page.locator('[data-test-id="emailOrLdapLoginId"] input').fill(OWNER.email);
		await page.locator('[data-test-id="password"] input').fill(OWNER.password);
		await page.locator('[data-test-id="form-submit-button"]').click();
		await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: 30_000 });
		await page.goto(`${instance.server.url}/workflow/${workflow.id}`);
		for (const node of workflow.nodes.filter((n) => n.type !== 'n8n-nodes-base.stickyNote'))
			await page
				.locator('[data-test-id="canvas-node"]')
				.filter({ hasText: node.name })
				.first()
				.waitFor({ timeout: 30_000 });
		// fit the whole workflow into view (the canvas's own shortcut), then let it settle
		await page.mouse.click(700, 120);
		await page.keyboard.press('1');
		// one step back, so the Execute button at the bottom covers no node
		await page.keyboard.press('-');
		await page.mouse.move(1490, 850);
		await page.waitForTimeout(1000);
		fs.mkdirSync(path.dirname(SHOT), { recursive: true });
		await page.locator('body').screenshot({ path: SHOT, animations: 'disabled' });
		if (process.argv.includes('--update-docs')) fs.copyFileSync(SHOT, DOC_SHOT);
		log(`picture in ${SHOT}`);
	} finally {
		if (browser) await browser.close();
		if (instance) await instance.stop();
		await sim.close();
	}
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
