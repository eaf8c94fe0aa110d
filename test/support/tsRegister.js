'use strict';
/**
 * Lets a plain node child process require the node's TypeScript sources, transpiled on the fly
 * (no type check: jest and `npm run typecheck` do that), so a test can run real source code in
 * several processes without a build.
 */
const fs = require('node:fs');
const ts = require('typescript');

require.extensions['.ts'] = (module, filename) => {
	const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
		compilerOptions: {
			module: ts.ModuleKind.CommonJS,
			target: ts.ScriptTarget.ES2022,
			esModuleInterop: true,
		},
		fileName: filename,
	});
	module._compile(outputText, filename);
};
