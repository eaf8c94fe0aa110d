import { isIPv6 } from 'node:net';

/**
 * Which IP addresses a URL from a stranger's message may reach: only public ones. Everything on
 * the n8n host itself or its networks (loopback, private and carrier-grade NAT ranges, link-local
 * with the cloud metadata address, unique-local), addresses that mean "this host" or "everyone",
 * and IPv6 forms that carry an IPv4 address inside are refused.
 */

type Range = readonly [network: number[], prefixBits: number, name: string];

const IPV4_RANGES: readonly Range[] = [
	[[169, 254, 169, 254], 32, 'the cloud metadata address'],
	[[0, 0, 0, 0], 8, 'an unspecified ("this network") address'],
	[[10, 0, 0, 0], 8, 'a private network'],
	[[100, 64, 0, 0], 10, 'carrier-grade NAT (shared address space)'],
	[[127, 0, 0, 0], 8, 'loopback'],
	[[169, 254, 0, 0], 16, 'link-local'],
	[[172, 16, 0, 0], 12, 'a private network'],
	[[192, 0, 0, 0], 24, 'IETF protocol assignments'],
	[[192, 0, 2, 0], 24, 'documentation'],
	[[192, 168, 0, 0], 16, 'a private network'],
	[[198, 18, 0, 0], 15, 'benchmarking'],
	[[198, 51, 100, 0], 24, 'documentation'],
	[[203, 0, 113, 0], 24, 'documentation'],
	[[224, 0, 0, 0], 4, 'multicast'],
	[[255, 255, 255, 255], 32, 'broadcast'],
	[[240, 0, 0, 0], 4, 'reserved'],
];

/** Written as bytes, so a range and an address compare the same way in both families. */
const IPV6_RANGES: readonly Range[] = [
	[[0xfd, 0, 0x0e, 0xc2, ...Array(10).fill(0), 0x02, 0x54], 128, 'the cloud metadata address'],
	[Array(16).fill(0), 128, 'the unspecified address'],
	[[...Array(15).fill(0), 1], 128, 'loopback'],
	[[0xfe, 0x80], 10, 'link-local'],
	[[0xfe, 0xc0], 10, 'site-local'],
	[[0xfc], 7, 'unique-local'],
	[[0xff], 8, 'multicast'],
	[[0x01, 0x00, 0, 0, 0, 0, 0, 0], 64, 'discard-only'],
	[[0x20, 0x01, 0x0d, 0xb8], 32, 'documentation'],
	[[0x20, 0x01, 0, 0], 32, 'Teredo tunnelling'],
];

/** IPv6 prefixes whose last 32 bits (or, for 6to4, bits 16–48) are an IPv4 address that decides. */
const MAPPED_IPV4: ReadonlyArray<[prefix: number[], v4At: number, name: string]> = [
	[[...Array(10).fill(0), 0xff, 0xff], 12, 'IPv4-mapped'],
	[[0, 0x64, 0xff, 0x9b, ...Array(8).fill(0)], 12, 'NAT64'],
	[Array(12).fill(0), 12, 'IPv4-compatible'],
	[[0x20, 0x02], 2, '6to4'],
];

function inRange(bytes: readonly number[], [network, prefixBits]: Range): boolean {
	for (let bit = 0; bit < prefixBits; bit += 8) {
		const take = Math.min(8, prefixBits - bit);
		const mask = (0xff << (8 - take)) & 0xff;
		if (((bytes[bit / 8] ?? 0) & mask) !== ((network[bit / 8] ?? 0) & mask)) return false;
	}
	return true;
}

/**
 * An IPv4 address in any spelling `inet_aton` accepts (which is what a resolver or a URL parser
 * may hand on): one to four parts, each decimal, octal (leading 0) or hex (0x), the last part
 * filling the remaining bytes: `2130706433`, `0x7f.1` and `0177.0.0.1` are all 127.0.0.1.
 */
export function parseIPv4(text: string): number[] | undefined {
	const parts = text.split('.');
	if (parts.length > 4) return undefined;
	const values: number[] = [];
	for (const part of parts) {
		if (part.length > 12) return undefined;
		let value: number;
		if (/^0x[0-9a-f]*$/i.test(part))
			value = part.length === 2 ? 0 : Number.parseInt(part.slice(2), 16);
		else if (/^0[0-7]+$/.test(part)) value = Number.parseInt(part, 8);
		else if (/^(?:0|[1-9]\d*)$/.test(part)) value = Number(part);
		else return undefined;
		values.push(value);
	}
	const last = values.pop() as number;
	if (values.some((value) => value > 0xff) || last >= 2 ** (8 * (4 - values.length)))
		return undefined;
	const bytes = [...values];
	for (let shift = 8 * (3 - values.length); shift >= 0; shift -= 8)
		bytes.push(Math.floor(last / 2 ** shift) & 0xff);
	return bytes;
}

/** The sixteen bytes of an IPv6 address (a zone `%eth0` and brackets are ignored). */
export function parseIPv6(text: string): number[] | undefined {
	const address = text.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
	if (!isIPv6(address)) return undefined;
	let groups = address;
	const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
	if (dotted) {
		const v4 = parseIPv4(dotted[1]) as number[];
		const hex = (a: number, b: number) => ((a << 8) | b).toString(16);
		groups = `${address.slice(0, dotted.index)}${hex(v4[0], v4[1])}:${hex(v4[2], v4[3])}`;
	}
	const [head, tail] = groups.split('::');
	const headGroups = head ? head.split(':') : [];
	const tailGroups = tail === undefined ? [] : tail ? tail.split(':') : [];
	const zeros = Array(8 - headGroups.length - tailGroups.length).fill('0');
	const all = tail === undefined ? headGroups : [...headGroups, ...zeros, ...tailGroups];
	return all.flatMap((group) => {
		const value = Number.parseInt(group, 16);
		return [value >> 8, value & 0xff];
	});
}

/**
 * Why `address` (an IP literal) must not be fetched from, or undefined when it is public. Text
 * that is no IP address at all is refused as well: this is asked only of addresses.
 */
export function addressRefusal(address: string): string | undefined {
	const v4 = parseIPv4(address);
	if (v4) return IPV4_RANGES.find((range) => inRange(v4, range))?.[2];
	const v6 = parseIPv6(address);
	if (!v6) return 'not an IP address';
	const range = IPV6_RANGES.find((candidate) => inRange(v6, candidate));
	if (range) return range[2];
	const mapped = MAPPED_IPV4.find(([prefix]) => prefix.every((byte, i) => v6[i] === byte));
	if (!mapped) return undefined;
	const [, v4At, name] = mapped;
	const inner = addressRefusal(v6.slice(v4At, v4At + 4).join('.'));
	return inner && `${inner} (${name})`;
}
