/**
 * Redirects are never followed (the POST would go somewhere else), and a 3xx is not "an answer
 * that is not JSON" whose delivery is unknown: the gateway did not take the message. It is
 * reported as rejected, naming where the redirect pointed, so an http→https 301 in front of the
 * gateway says "fix the Base URL" instead of marking every message "may have been sent".
 */
import { account, recordAccounting, violations } from '../support/accounting';
import { batch, sendBatch, slotsOf } from '../support/engine';
import { startFresh, startSimulator, type Simulator } from '../support/simulators';

let sim: Simulator;
beforeAll(async () => {
	sim = await startSimulator({});
});
afterAll(async () => sim.close());
beforeEach(() => startFresh(sim));

const cases = [
	{ status: 301, location: 'https://gateway.example/v2/api?funcname=MagicCgi' },
	{ status: 302, location: '/login?next=%2Fv2%2Fapi' },
	{ status: 307, location: 'https://admin:pa55word-xyz@gateway.example:8443/v2/api' },
	{ status: 308, location: 'https://gateway.example/' },
	{ status: 303, location: undefined },
];

test.each(cases)(
	'HTTP $status: rejected, naming where it pointed, nothing sent',
	async ({ status, location }) => {
		const b = batch(`r${status}`, 3);
		sim.addFault({
			action: 'http',
			status,
			body: '<html>Moved</html>',
			contentType: 'text/html',
			headers: location ? { location } : {},
			toUserName: 'wxid_to1',
		});
		const run = await sendBatch(b, {
			baseUrl: sim.url,
			continueOnFail: true,
			options: { retries: 2 },
		});
		const accounting = recordAccounting(
			'Gateway faults',
			`redirect (HTTP 301/302/303/307/308): rejected, Location named`,
			account(slotsOf(b), run, sim.messages),
		);
		expect(violations(accounting)).toEqual([]);
		const failed = run.items.find((item) => item.json.ToUserName === 'wxid_to1')!.json;
		expect(failed.delivery).toBe('rejected');
		const error = String(failed.error);
		expect(error).toContain(`redirect (HTTP ${status})`);
		if (location) {
			const shown = location.replace('admin:pa55word-xyz@', '');
			expect(error).toContain(`pointing to "${shown}"`);
		} else {
			expect(error).toContain('without a Location');
		}
		expect(JSON.stringify(run.items)).not.toContain('pa55word');
		expect(error).toMatch(/set the Base URL/);
		// Rejected means no retry: the gateway saw it once.
		expect(sim.calls.filter((call) => call.toUserName === 'wxid_to1')).toHaveLength(1);
	},
);
