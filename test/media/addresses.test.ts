import { addressRefusal, parseIPv4 } from '../../nodes/WeChatGateway/media/addresses';

describe('addresses a URL from a received message may not reach', () => {
	it.each([
		['127.0.0.1', 'loopback'],
		['127.255.255.254', 'loopback'],
		['::1', 'loopback'],
		['10.0.0.1', 'a private network'],
		['172.16.0.1', 'a private network'],
		['172.31.255.255', 'a private network'],
		['192.168.1.1', 'a private network'],
		['169.254.1.1', 'link-local'],
		['fe80::1', 'link-local'],
		['fe80::1%eth0', 'link-local'],
		['febf::1', 'link-local'],
		['fc00::1', 'unique-local'],
		['fd12:3456::1', 'unique-local'],
		['169.254.169.254', 'the cloud metadata address'],
		['fd00:ec2::254', 'the cloud metadata address'],
		['0.0.0.0', 'an unspecified ("this network") address'],
		['::', 'the unspecified address'],
		['100.64.0.1', 'carrier-grade NAT (shared address space)'],
		['100.127.255.255', 'carrier-grade NAT (shared address space)'],
		['224.0.0.1', 'multicast'],
		['239.255.255.250', 'multicast'],
		['ff02::1', 'multicast'],
		['255.255.255.255', 'broadcast'],
		['::ffff:127.0.0.1', 'loopback (IPv4-mapped)'],
		['::ffff:7f00:1', 'loopback (IPv4-mapped)'],
		['::ffff:10.0.0.1', 'a private network (IPv4-mapped)'],
		['::ffff:169.254.169.254', 'the cloud metadata address (IPv4-mapped)'],
		['::127.0.0.1', 'loopback (IPv4-compatible)'],
		['64:ff9b::192.168.0.1', 'a private network (NAT64)'],
		['2002:7f00:1::', 'loopback (6to4)'],
		['2130706433', 'loopback'],
		['0x7f.1', 'loopback'],
		['0x7f000001', 'loopback'],
		['0177.0.0.1', 'loopback'],
		['127.1', 'loopback'],
		['012.0.0.1', 'a private network'],
		['cdn.example', 'not an IP address'],
	])('%s: %s', (address, why) => {
		expect(addressRefusal(address)).toBe(why);
	});

	it.each([
		'8.8.8.8',
		'1.1.1.1',
		'100.63.255.255',
		'100.128.0.0',
		'172.15.255.255',
		'172.32.0.0',
		'169.253.255.255',
		'223.255.255.255',
		'2606:4700:4700::1111',
		'::ffff:8.8.8.8',
		'64:ff9b::8.8.8.8',
		'2002:808:808::1',
	])('%s is public', (address) => {
		expect(addressRefusal(address)).toBeUndefined();
	});

	it.each([
		['1.2.3.4', [1, 2, 3, 4]],
		['1.2.772', [1, 2, 3, 4]],
		['1.131844', [1, 2, 3, 4]],
		['16909060', [1, 2, 3, 4]],
		['0x01.0x02.0x03.0x04', [1, 2, 3, 4]],
		['01.02.03.04', [1, 2, 3, 4]],
	])('reads %s as the IPv4 address it spells', (text, bytes) => {
		expect(parseIPv4(text)).toEqual(bytes);
	});

	it.each(['1.2.3.4.5', '256.1.1.1', '4294967296', '1.2.3.', '08.1.1.1', '1.2.3.4x', ''])(
		'%s is no IPv4 address',
		(text) => {
			expect(parseIPv4(text)).toBeUndefined();
		},
	);
});
