/**
 * Send File's rows of the fault table: a fault at the upload or at the send that follows it,
 * counted from what the gateway recorded against what the node reported. Upload and send are one
 * message, so no fault loses a file, sends it twice, or reports it wrongly.
 */
import { account, recordAccounting, violations } from '../../support/accounting';
import { FAST, GROUP, runMedia, useFileServer, useMediaGateway } from './mediaRun';

const SUITE = 'Send File (engine; upload, then send)';
const FRIEND = 'wxid_friend42';
const FILE_NAME = 'Q3-report.pdf';
const served = useFileServer({ '/Q3-report.pdf': Buffer.from('%PDF-1.4\n%%EOF\n') });
const sim = useMediaGateway();

interface FaultCase {
	name: string;
	rules: Array<Record<string, unknown> & { action: string }>;
	/** The outcome of each slot, in order (FRIEND, then GROUP). */
	outcomes: Record<string, number>;
	uploads: number;
	retryOnFail?: boolean;
}

const cases: FaultCase[] = [
	{
		name: 'the upload refused (Ret -1)',
		rules: [{ action: 'ret', ret: -1, route: 'cdnupload', toUserName: GROUP }],
		outcomes: { sent: 1, 'error:notSent': 1 },
		uploads: 1,
	},
	{
		name: "the upload's answer lost (retried by the node: nothing was sent yet)",
		rules: [{ action: 'drop', route: 'cdnupload', times: 1 }],
		outcomes: { sent: 2 },
		uploads: 3,
	},
	{
		name: 'the send refused after the upload (Ret -1)',
		rules: [{ action: 'ret', ret: -1, cgiCmd: 222, toUserName: GROUP }],
		outcomes: { sent: 1, 'error:rejected': 1 },
		uploads: 2,
	},
	{
		name: "the send's answer lost after the upload",
		rules: [{ action: 'drop', cgiCmd: 222, toUserName: GROUP, times: 1 }],
		outcomes: { sent: 1, 'error:unknown, was sent': 1 },
		uploads: 2,
	},
	{
		name: "the send refused once, then n8n's Retry On Fail",
		rules: [{ action: 'ret', ret: -1, cgiCmd: 222, toUserName: GROUP, times: 1 }],
		outcomes: { sent: 2 },
		uploads: 3,
		retryOnFail: true,
	},
];

test.each(cases)('$name: nothing lost, duplicated or misreported', async (c) => {
	for (const rule of c.rules) sim.gateway.addFault(rule);
	const run = await runMedia(
		sim.gateway,
		{
			operation: 'sendFile',
			toUserName: `${FRIEND}, ${GROUP}`,
			fileUrl: `${served.url}/Q3-report.pdf`,
			fileName: FILE_NAME,
			options: { ...FAST, retries: c.retryOnFail ? 0 : 2 },
		},
		{
			continueOnFail: !c.retryOnFail,
			retryOnFail: c.retryOnFail ? { maxTries: 2, waitBetweenTries: 1 } : undefined,
		},
	);
	const slots = [FRIEND, GROUP].map((recipient) => ({ itemIndex: 0, recipient, title: FILE_NAME }));
	const accounting = recordAccounting(SUITE, c.name, account(slots, run, sim.gateway.messages));
	expect(violations(accounting)).toEqual([]);
	expect(accounting.outcomes).toEqual(c.outcomes);
	expect(sim.gateway.uploads).toHaveLength(c.uploads);
});
