// @ts-check
'use strict';
/**
 * JSON text with 64-bit integers written as bare numbers, as the real gateway writes them
 * (JSON.stringify cannot: a JavaScript number above 2^53 is already rounded).
 */
const MARK = '\u0000int:';

/** A 64-bit integer (digits, bigint or number) to place in a value given to `bigJson`. */
const int64 = (/** @type {string | bigint | number} */ value) => `${MARK}${BigInt(value)}`;

/** JSON.stringify, with every `int64(…)` written as a bare number. */
const bigJson = (value) =>
	JSON.stringify(value).replace(/"\\u0000int:(-?\d+)"/g, (_, digits) => digits);

/** A plain copy of a value, with every `int64(…)` as a string of its digits. */
const withInt64Text = (value) =>
	JSON.parse(JSON.stringify(value).replace(/"\\u0000int:(-?\d+)"/g, '"$1"'));

module.exports = { int64, bigJson, withInt64Text };
