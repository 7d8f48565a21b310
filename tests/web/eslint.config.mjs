/*
 * ESLint for the web UI (run from the repository root by run-web.sh):
 * the LuCI app's modules with LuCI's conventions, the standalone page, and
 * these tests. LuCI's runtime (luci.js, form.js, ui.js) does not run here,
 * so its conventions are rules:
 *  - a module is the body of a function: 'use strict', then its
 *    'require NAME [as ALIAS]' lines, and it ends in `return X.extend({...})`;
 *  - every LuCI module a file uses is required, and every require is used;
 *  - _() takes one string literal (the .pot is made from them).
 */
import js from '@eslint/js';
import globals from 'globals';

/* LuCI's own modules and the app's, as a 'require' line makes them arguments. */
const MODULES = [ 'baseclass', 'view', 'form', 'ui', 'uci', 'rpc', 'poll', 'dom', 'request',
	'network', 'fs', 'validation', 'data', 'schema', 'widgets', 'charts', 'validate' ];
const REQUIRE = /^require ([\w.]+)(?: as ([A-Za-z_]\w*))?$/;

const moduleShape = {
	meta: { type: 'problem', schema: [],
		docs: { description: 'LuCI module shape: use strict, require lines, return X.extend(...)' } },
	create(context) {
		return {
			Program(node) {
				const body = node.body;
				const dirs = body.filter((s) => s.directive != null);
				if (!dirs.length || dirs[0].directive != 'use strict')
					context.report({ node, message: 'a LuCI module starts with \'use strict\';' });
				dirs.slice(1).forEach((d) => {
					if (!REQUIRE.test(d.directive))
						context.report({ node: d, message: `not a LuCI require line: '${d.directive}'` });
				});
				const last = body[body.length - 1];
				const ok = last && last.type == 'ReturnStatement' && last.argument &&
					last.argument.type == 'CallExpression' && last.argument.callee.type == 'MemberExpression' &&
					last.argument.callee.property.name == 'extend';
				if (!ok)
					context.report({ node: last || node,
						message: 'a LuCI module ends in `return <class>.extend({ ... })`' });
				body.slice(0, -1).forEach((s) => {
					if (s.type == 'ReturnStatement')
						context.report({ node: s, message: 'only the last statement returns' });
				});
			}
		};
	}
};

const requireUsed = {
	meta: { type: 'problem', schema: [],
		docs: { description: 'modules used are required; required ones are used' } },
	create(context) {
		return {
			'Program:exit'(node) {
				const required = new Map();
				node.body.filter((s) => s.directive != null).forEach((d) => {
					const m = REQUIRE.exec(d.directive);
					if (m)
						required.set(m[2] || m[1].replace(/^.*\./, ''), d);
				});
				/* the module names are configured globals: their references
				 * resolve to the global scope's variables */
				const global = context.sourceCode.scopeManager.globalScope;
				MODULES.forEach((name) => {
					const v = global.set.get(name), refs = v ? v.references : [];
					if (refs.length && !required.has(name))
						context.report({ node: refs[0].identifier,
							message: `'${name}' is used but not required ('require ${name}')` });
				});
				required.forEach((d, name) => {
					const v = global.set.get(name);
					if (!v || !v.references.length)
						context.report({ node: d, message: `'${name}' is required but never used` });
				});
			}
		};
	}
};

const translatableLiteral = {
	meta: { type: 'problem', schema: [],
		docs: { description: '_() takes one string literal, so the .pot can be made from it' } },
	create(context) {
		return {
			CallExpression(node) {
				if (node.callee.type != 'Identifier' || node.callee.name != '_')
					return;
				const a = node.arguments;
				if (a.length != 1 || a[0].type != 'Literal' || typeof a[0].value != 'string')
					context.report({ node, message: '_() needs exactly one string literal' });
			}
		};
	}
};

const luci = { rules: { 'module-shape': moduleShape, 'require-used': requireUsed,
	'translatable-literal': translatableLiteral } };

const common = {
	...js.configs.recommended.rules,
	'no-var': 'error',
	'prefer-const': 'error',
	'no-unused-vars': [ 'error', { args: 'none' } ],
	'no-implicit-globals': 'error',
	'no-shadow': 'error',
	'no-eval': 'error',
	'no-new-func': 'error'
};

export default [
	{
		files: [ 'luci-app-autonomy/**/*.js' ],
		plugins: { luci },
		languageOptions: {
			ecmaVersion: 2020,
			sourceType: 'script',
			parserOptions: { ecmaFeatures: { globalReturn: true } },
			globals: {
				...globals.browser,
				L: 'readonly', E: 'readonly', _: 'readonly', N_: 'readonly',
				...Object.fromEntries(MODULES.map((m) => [ m, 'readonly' ]))
			}
		},
		rules: {
			...common,
			'strict': [ 'error', 'global' ],
			'luci/module-shape': 'error',
			'luci/require-used': 'error',
			'luci/translatable-literal': 'error'
		}
	},
	{
		files: [ 'web/**/*.js' ],
		languageOptions: { ecmaVersion: 2022, sourceType: 'script', globals: { ...globals.browser } },
		rules: { ...common, 'strict': [ 'error', 'function' ] }
	},
	{
		files: [ 'tests/web/**/*.mjs' ],
		languageOptions: { ecmaVersion: 2022, sourceType: 'module',
			globals: { ...globals.node, ...globals.browser } },
		rules: { ...common, 'no-new-func': 'off' }
	}
];
