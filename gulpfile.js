// Icons and codex files are not TypeScript, so tsc leaves them behind; n8n loads them from beside the built files.
const { src, dest } = require('gulp');

function buildIcons() {
	return src(['nodes/**/*.{png,svg,json}', 'credentials/**/*.{png,svg}'], {
		base: '.',
		encoding: false,
	}).pipe(dest('dist'));
}

exports['build:icons'] = buildIcons;
