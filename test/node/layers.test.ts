/**
 * Layers run one way: what each folder may not import, read from the import lines of the source.
 * A layer that needs something from above moves it down into a module both may use. Also the
 * layout's other rule: a source file is small enough to read in one sitting.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const NODE = path.join(ROOT, 'nodes/WeChatGateway');

function filesUnder(folder: string): string[] {
	return readdirSync(folder, { withFileTypes: true, recursive: true })
		.filter((entry) => entry.isFile() && /\.(ts|js)$/.test(entry.name))
		.map((entry) => path.join(entry.parentPath, entry.name));
}

const IMPORT = /(?:\bfrom\s+|\brequire\(\s*|\bimport\(\s*)['"]([^'"]+)['"]/g;

/** Every relative module a file imports or requires, as a path from the repository's root. */
function importsOf(file: string): string[] {
	const text = readFileSync(file, 'utf8');
	return [...text.matchAll(IMPORT)]
		.map((match) => match[1])
		.filter((specifier) => specifier.startsWith('.'))
		.map((specifier) => path.relative(ROOT, path.resolve(path.dirname(file), specifier)));
}

/** `file -> import` for each import from `importer` into `imported`. */
function crossings(importer: string, imported: string): string[] {
	const target = path.relative(ROOT, imported);
	return filesUnder(importer).flatMap((file) =>
		importsOf(file)
			.filter((module) => module === target || module.startsWith(`${target}/`))
			.map((module) => `${path.relative(ROOT, file)} -> ${module}`),
	);
}

describe('layers', () => {
	test.each([
		['trigger', 'actions'],
		['text', 'appmsg'],
		['coordination', 'delivery'],
	])('nothing in %s/ imports %s/', (importer, imported) => {
		expect(crossings(path.join(NODE, importer), path.join(NODE, imported))).toEqual([]);
	});

	test('nothing in transport/ imports credentials/', () => {
		expect(crossings(path.join(NODE, 'transport'), path.join(ROOT, 'credentials'))).toEqual([]);
	});

	test.each(['nodes', 'credentials', 'scripts', 'simulator'])(
		'nothing in %s/ requires test/',
		(folder) => {
			expect(crossings(path.join(ROOT, folder), path.join(ROOT, 'test'))).toEqual([]);
		},
	);

	test('no file under nodes/ or credentials/ is over 300 lines: each is read in one sitting', () => {
		const long = ['nodes', 'credentials']
			.flatMap((folder) => filesUnder(path.join(ROOT, folder)))
			.map((file) => ({ file, lines: readFileSync(file, 'utf8').split('\n').length - 1 }))
			.filter(({ lines }) => lines > 300)
			.map(({ file, lines }) => `${path.relative(ROOT, file)}: ${lines} lines`);
		expect(long).toEqual([]);
	});

	test('the check sees an import that crosses', () => {
		// The trigger does import the WeChat facts: a rule on them would be reported.
		expect(crossings(path.join(NODE, 'trigger'), path.join(NODE, 'wechat'))).not.toEqual([]);
	});
});
