/**
 * Pacing as the gateway saw it: the gaps between the moments the simulator (in a process of its
 * own) received each call. Only lower bounds are asserted: a loaded machine makes sends later,
 * never earlier. One thing can still shorten a measured gap: the simulator noting one message
 * late (the machine busy) while the next arrives on time. So each gap may fall short of the
 * interval by TRANSIT_SLACK of it, and their mean by a tenth; without pacing the gaps would be a
 * few milliseconds.
 */
export const TRANSIT_SLACK = 0.25;

export function gaps(times: number[]): number[] {
	return times.slice(1).map((t, i) => t - times[i]);
}

export function expectSpaced(gapsMs: number[], intervalMs: number): void {
	for (const gap of gapsMs) expect(gap).toBeGreaterThanOrEqual(intervalMs * (1 - TRANSIT_SLACK));
	const mean = gapsMs.reduce((a, b) => a + b, 0) / gapsMs.length;
	expect(mean).toBeGreaterThanOrEqual(intervalMs * 0.9);
}
