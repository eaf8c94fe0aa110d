/**
 * Prepares the next item while the current item's calls are with the gateway, and returns it.
 * Preparing has no side effects and its errors wait for the item's turn, so what is sent before
 * a failure does not change. It waits until the calls under way are written first: undici
 * reuses a keep-alive connection only one setImmediate after its previous answer, so a call
 * made right after an answer is written in the next check phase; the second setImmediate comes
 * after that write.
 *
 * Why: parsing, checking and rebuilding a forwarded message costs CPU on the n8n side while the
 * gateway answers from another process; doing it meanwhile takes it off the path of every item
 * (docs/PERFORMANCE.md, "Preparing the next item while sending", has the measurement).
 */
export async function prepareWhileSending<T>(
	sending: Promise<unknown>,
	prepareNext: () => T | Promise<T>,
): Promise<T> {
	sending.catch(() => undefined); // its failure is the caller's, when it awaits it
	await new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
	return await prepareNext();
}
