/**
 * Thrown for input that cannot become a valid message; `field` names the editor field. Its own
 * module because every layer that reads user input (text, app messages, recipients) throws it.
 */
export class AppMsgInputError extends Error {
	constructor(
		message: string,
		readonly field?: string,
	) {
		super(message);
		this.name = 'AppMsgInputError';
	}
}
