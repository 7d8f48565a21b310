/*
 * The web UI in a real browser (Debian's chromium, driven by playwright-core)
 * against the real stack (tests/web/stack.py: the lab, the dish emulator,
 * autonomyd with the netlink backend, OpenWrt's ubusd/rpcd/uhttpd): the
 * standalone page end to end, and the LuCI app's data module (the same
 * data.js) with its rpc declarations and reply→row functions run in the
 * page against the real daemon; field validators checked against the
 * daemon's own verdicts.
 *
 *   node browser.mjs BUILD_DIR ARTIFACTS_DIR
 *
 * Screenshots of every step at desktop and phone width go to ARTIFACTS_DIR.
 * Prints "N passed, N failed" last.
 */
import { spawn, execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

const run = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const BUILD = resolve(process.argv[2] || join(ROOT, 'build'));
const ARTIFACTS = resolve(process.argv[3] || join(ROOT, 'build-web', 'artifacts'));
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const FLAGS = [ '--no-sandbox', '--disable-gpu', '--disable-background-networking',
	'--disable-component-update', '--disable-sync', '--no-first-run' ];

/* ---- a small runner ---------------------------------------------------------- */

const results = [];
const figures = {};

async function test(name, fn) {
	const t0 = Date.now();
	try {
		await fn();
		results.push([ name, null ]);
		console.log(`ok   ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
	}
	catch (e) {
		results.push([ name, e ]);
		console.log(`FAIL ${name}: ${e && e.stack || e}`);
	}
}

function assert(cond, msg) {
	if (!cond)
		throw new Error(msg || 'assertion failed');
}

function equal(a, b, msg) {
	if (JSON.stringify(a) !== JSON.stringify(b))
		throw new Error(`${msg || 'not equal'}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`);
}

/* ---- the stack ---------------------------------------------------------------- */

function startStack(work) {
	const proc = spawn('/usr/bin/python3', [ join(HERE, 'stack.py'), BUILD, work ],
		{ stdio: [ 'pipe', 'pipe', 'inherit' ] });
	return new Promise((res, rej) => {
		let buf = '';
		proc.stdout.on('data', (d) => {
			buf += d;
			const nl = buf.indexOf('\n');
			if (nl >= 0)
				res({ proc, info: JSON.parse(buf.substring(0, nl)) });
		});
		proc.on('exit', (code) => rej(new Error(`stack.py exited (${code}) before it was up`)));
	});
}

function stopStack(proc) {
	return new Promise((res) => {
		if (proc.exitCode != null)
			return res();
		proc.removeAllListeners('exit');
		proc.on('exit', res);
		proc.stdin.end();
		setTimeout(() => proc.kill('SIGTERM'), 30000).unref();
	});
}

let info;

function lab(script, ...args) {
	return run(join(ROOT, 'lab', script), args, { env: { ...process.env,
		LAB_PREFIX: info.lab_prefix, LAB_RULES: '0', LAB_RUN: info.lab_run } });
}

function ctl(...args) {
	return run(info.autonomyctl, [ '-s', info.socket, '--json', ...args ]).then((r) =>
		JSON.parse(r.stdout));
}

/* ---- pages -------------------------------------------------------------------- */

let browser;
const external = [];
const pageErrors = [];

async function newPage(viewport) {
	const context = await browser.newContext({ viewport: viewport || DESKTOP });
	const origin = info.url.replace(/\/$/, '');
	/* nothing may leave the router: every request not to uhttpd is refused and noted */
	await context.route('**/*', (route) => {
		const url = route.request().url();
		if (url.startsWith(origin + '/') || url.startsWith('data:'))
			return route.continue();
		external.push(url);
		return route.abort();
	});
	const page = await context.newPage();
	page.on('pageerror', (e) => pageErrors.push(e.message));
	return page;
}

/* Both widths of the current state; the phone one must not scroll sideways. */
async function shot(page, name) {
	mkdirSync(ARTIFACTS, { recursive: true });
	const vp = page.viewportSize();
	await page.setViewportSize(DESKTOP);
	await page.screenshot({ path: join(ARTIFACTS, `${name}-desktop.png`), fullPage: true });
	await page.setViewportSize(PHONE);
	await page.waitForTimeout(50);
	const overflow = await page.evaluate(() =>
		document.documentElement.scrollWidth - document.documentElement.clientWidth);
	await page.screenshot({ path: join(ARTIFACTS, `${name}-phone.png`), fullPage: true });
	await page.setViewportSize(vp);
	assert(overflow <= 0, `${name}: the phone layout scrolls sideways by ${overflow} px`);
}

async function login(page, user, password) {
	await page.goto(info.url + 'autonomy/');
	await page.fill('#username', user);
	await page.fill('#password', password);
	await page.click('button[type=submit]');
}

function text(page, sel) {
	return page.locator(sel).first().innerText();
}

/* ---- validators against the daemon -------------------------------------------- */

function loadSchema() {
	const src = readFileSync(join(ROOT, 'luci-app-autonomy/htdocs/luci-static/resources/autonomy/schema.js'),
		'utf8');
	const baseclass = { extend: (p) => function() { Object.assign(this, p); } };
	const Class = new Function('window', 'document', 'L', 'baseclass', src)(null, null, null, baseclass);
	return new Class();
}

function uciQuote(v) {
	return '\'' + String(v).replace(/'/g, '\'\\\'\'') + '\'';
}

/* Values of every type, good and bad and the corners between. */
const CORPUS = {
	'main.dry_run': [ '1', '0', 'yes', 'No', 'TRUE', 'enabled', 'Disabled', 'off', '2', 'y', 'on ' ],
	'main.switch_margin': [ '5', '100', '4', '101', '+7', '-5', '007', '1e2', 'abc', ' 5',
		'99999999999999999999999', '50.0' ],
	'main.log_level': [ 'info', 'INFO', 'Debug', 'warning', 'debug2', 'err' ],
	'main.failback_hold': [ '5', '3600', '3601', '4', '10s', '500ms', '4999ms', '5000ms', '1m',
		'60m', '61m', '1h', '2h', '1d', '10x', '1.5', '10 s', '00010', '-5', 's' ],
	'starlink.api_timeout_ms': [ '100', '99', '1s', '60s', '61s', '1m', '2m', '1500', '60000',
		'60001', '100ms', '0.1s' ],
	'starlink.api_host': [ '192.168.100.1', '::1', '2001:db8::1', '1.2.3', '01.2.3.4', '256.1.1.1',
		'1.2.3.4.5', '::ffff:1.2.3.4', '2001:db8::1::2', 'fe80::1%eth0', '1:2:3:4:5:6:7:8',
		'1:2:3:4:5:6:7:8:9', '::', '1::2:3:4:5:6:7:8', 'a:b:c:d:e:f:1.2.3.4', '::1.2.3.4',
		'12345::1', '1:2:3:4:5:6:7::', ':1::2', '1.2.3.4:80', 'dish.local' ],
	'security.ip_whitelist': [ '192.168.1.0/24', '10.0.0.1', '10.0.0.0/33', '2001:db8::/64',
		'2001:db8::/129', '10.0.0.0/+8', '10.0.0.0/', 'a/24', '10.0.0.0/24,10.1.0.0/16',
		'10.0.0.0/24 300.1.1.1/8', '10.0.0.0/024', '::/0' ],
	'email.smtp_server': [ 'smtp.example.com', '192.0.2.1', '-bad.com', 'a..b', '123', '1.2.3.4.5',
		'example.com.', 'x_y.com', '2001:db8::1', 'bad-.com', 'a'.repeat(64) + '.com' ],
	'email.from': [ 'a@b.com', 'a@b', 'a.@b.com', 'a..b@c.com', '@b.com', 'a@b@c.com',
		'user+tag@example.org', 'a@-b.com', 'a b@c.com', 'alerts@company.com' ],
	'email.username': [ 'hello', 'it\'s', 'a b', '' ],
	'member.device': [ 'eth0', 'pppoe-wan', 'a/b', 'a:b', '1234567890123456', '123456789012345',
		'.', '..', 'wan 1', 'wwan0.1' ],
	'member.target': [ '1.1.1.1', 'tcp:1.1.1.1:443', 'tcp:1.1.1.1', 'dns:9.9.9.9',
		'dns:9.9.9.9/example.com', 'dns:[2001:db8::53]:5353/x.org',
		'http://203.0.113.1/generate_204,status=204', 'http://203.0.113.1,status=999',
		'http://host.example/', 'https://[2001:db8::1]:8443/', 'icmp:[1.1.1.1]', '127.0.0.1',
		'224.0.0.1', '0.1.2.3', '::ffff:1.2.3.4', 'fe80::1%eth0', 'udp:1.1.1.1', 'ftp://1.1.1.1/',
		'1.1.1.1 8.8.8.8', 'tcp:[1.1.1.1]:80', 'tcp:1.1.1.1:0', 'tcp:1.1.1.1:65536',
		'dns:1.1.1.1/a..b', 'http://1.1.1.1/#x', 'http://1.1.1.1/,host=example.com,host=x.com',
		'http://1.1.1.1/,foo=1', 'tcp:2001:db8::1:80', '240.0.0.1', '255.255.255.255',
		'tcp:[2001:db8::1]:80', 'http://1.1.1.1:8080/x?y=1,host=a.example', 'dns:1.1.1.1/.',
		'tcp:01.1.1.1:80', 'http://[::1]/', 'tcp:1.1.1.1:080', 'icmp:1.1.1.1', 'ICMP:1.1.1.1' ]
};

function configWith(key, value) {
	const [ sec, opt ] = key.split('.');
	if (sec == 'member')
		return `config member 'm1'\n` + (opt == 'device' ? '' : `\toption device 'eth0'\n`) +
			`\toption ${opt} ${uciQuote(value)}\n`;
	return `config autonomy '${sec}'\n\toption ${opt} ${uciQuote(value)}\n`;
}

async function daemonVerdict(dir, i, key, value) {
	const file = join(dir, `c${i}.conf`);
	writeFileSync(file, configWith(key, value));
	try {
		await run(info.autonomyctl, [ 'config', 'validate', file ]);
		return true;
	}
	catch (e) {
		if (e.code !== 1)
			throw new Error(`config validate ${key}=${value}: exit ${e.code}: ${e.stderr}`, { cause: e });
		return false;
	}
}

/* ---- the tests ------------------------------------------------------------------ */

async function main() {
	const work = mkdtempSync(join(tmpdir(), 'autonomy-web-'));
	let stack;
	try {
		stack = await startStack(work);
	}
	catch (e) {
		console.log(`FAIL the stack: ${e.message}`);
		console.log('0 passed, 1 failed');
		return 1;
	}
	info = stack.info;
	if (info.skip || info.error) {
		await stopStack(stack.proc);
		console.log(info.skip ? `skipped: ${info.skip}` : `FAIL the stack: ${info.error}`);
		console.log(info.skip ? '0 passed, 0 failed' : '0 passed, 1 failed');
		return info.skip ? 0 : 1;
	}
	rmSync(ARTIFACTS, { recursive: true, force: true });
	browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
	try {
		await suite();
	}
	finally {
		await browser.close();
		await stopStack(stack.proc);
		rmSync(work, { recursive: true, force: true });
	}
	const failed = results.filter((r) => r[1]).length;
	console.log('figures: ' + JSON.stringify(figures));
	console.log(`${results.length - failed} passed, ${failed} failed`);
	return failed ? 1 : 0;
}

async function suite() {
	const page = await newPage();
	const U = info.users;

	await test('the login page; a wrong password is refused', async () => {
		await login(page, 'admin', 'wrong');
		await page.waitForFunction(() => /Wrong user name|denied/i.test(
			document.querySelector('.login-error').textContent), null, { timeout: 10000 });
		await shot(page, '01-login');
	});

	await test('the admin sees the uplinks and which one carries traffic', async () => {
		await login(page, 'admin', U.admin);
		await page.waitForSelector('#active-member', { timeout: 10000 });
		equal(await text(page, '#active-member'), 'wan', 'active member');
		equal(await page.locator('#members article[data-member]').count(), 3, 'member cards');
		assert(/carrying traffic/.test(await text(page, 'article[data-member=wan]')));
		for (const m of [ 'wan', 'sat', 'lte' ])
			assert(/\bup\b/.test(await text(page, `article[data-member=${m}] .badge`)), m + ' up');
		/* the score history is an inline SVG line after a few polls */
		await page.waitForFunction(() => {
			const p = document.querySelector('article[data-member=wan] .chart svg path.line');
			return p && (p.getAttribute('d').match(/L/g) || []).length >= 2;
		}, null, { timeout: 10000 });
		await shot(page, '02-overview');
	});

	await test('the uplinks page: measurements, every probe target\'s answers, the dish', async () => {
		await page.click('nav a[href="#members"]');
		const wan = page.locator('article.member-detail[data-member=wan]');
		await wan.waitFor({ timeout: 5000 });
		const rows = wan.locator('table.targets tbody tr');
		equal(await rows.count(), 3, 'wan probe targets');
		assert(/icmp:198\.51\.100\.1/.test(await rows.first().innerText()));
		await page.waitForFunction(() => /reply/.test(document.querySelector(
			'article.member-detail[data-member=wan] table.targets tbody tr').innerText), null,
		{ timeout: 5000 });
		const dish = page.locator('article.member-detail[data-member=sat] [data-group=starlink]');
		assert(/Starlink dish/.test(await dish.innerText()), 'the dish group');
		assert(/connected/.test(await dish.innerText()), 'the dish answers');
		await shot(page, '03-uplinks');
	});

	await test('pin an uplink from the page, back to automatic, and move traffic once', async () => {
		await page.click('nav a[href="#overview"]');
		await page.click('article[data-member=lte] [data-action="failover:lte:force"]');
		await page.waitForFunction(() => document.querySelector('#active-member').textContent == 'lte' &&
			/pinned/.test(document.querySelector('.hero').textContent), null, { timeout: 10000 });
		assert(/pinned to lte/.test(await text(page, '#notice')), 'the result is shown');
		equal((await ctl('status')).pinned, true, 'the daemon has it pinned');
		await shot(page, '04-pinned');
		await page.click('[data-action=auto]');
		await page.waitForFunction(() => /automatic/.test(document.querySelector('.hero').textContent) &&
			!document.querySelector('[data-action=auto]'), null, { timeout: 10000 });
		equal((await ctl('status')).pinned, false, 'automatic again');
		/* wan is preferred but must serve its fail-back hold first: move it now, once */
		if ((await ctl('status')).active_member != 'wan') {
			await page.click('article[data-member=wan] [data-action="failover:wan:once"]');
			await page.waitForFunction(() => document.querySelector('#active-member').textContent == 'wan',
				null, { timeout: 10000 });
		}
		equal((await ctl('status')).active_member, 'wan', 'traffic on wan');
		equal((await ctl('status')).pinned, false, 'a move once does not pin');
	});

	await test('blackholing the active uplink shows on the page within 3 s, without a reload', async () => {
		await page.evaluate(() => {
			window.__noReload = true;
		});
		const t0 = Date.now();
		await lab('impair.sh', 'wan', 'blackhole');
		const inForce = Date.now();
		await page.waitForFunction(() => document.querySelector('#active-member').textContent != 'wan',
			null, { timeout: 3000, polling: 20 });
		const seen = Date.now();
		figures.page_change_after_blackhole_s = +((seen - inForce) / 1000).toFixed(2);
		figures.impair_sh_s = +((inForce - t0) / 1000).toFixed(2);
		assert(await page.evaluate(() => window.__noReload === true), 'the page was reloaded');
		equal(await text(page, '#active-member'), 'sat', 'traffic moved to the dish');
		await page.waitForFunction(() => /down/.test(document.querySelector(
			'article[data-member=wan] .badge').textContent), null, { timeout: 5000 });
		assert(/sat/.test(await text(page, '#last-switch')), 'the last switch is shown');
		await shot(page, '05-blackhole');
	});

	await test('a failover test from the page, and its result', async () => {
		await page.click('article[data-member=lte] [data-action="failover:lte:test"]');
		await page.waitForFunction(() => /Test of/.test((document.querySelector('#notice') || {})
			.textContent || ''), null, { timeout: 30000 });
		const t = await text(page, '#notice');
		assert(/Test of lte passed: \d+ of \d+ probes answered/.test(t), t);
		assert(/back on sat/.test(t), t);
		equal((await ctl('status')).active_member, 'sat', 'traffic back on the dish');
		await shot(page, '06-failover-test');
	});

	await test('the uplinks page shows which targets stopped answering', async () => {
		await page.click('nav a[href="#members"]');
		await page.waitForFunction(() => [ ...document.querySelectorAll(
			'article.member-detail[data-member=wan] table.targets tbody tr') ].every((r) =>
			/lost|not sent/.test(r.innerText)), null, { timeout: 10000 });
		await shot(page, '07-uplinks-blackhole');
	});

	await test('the decisions page: the switch away from wan with its reason and scores', async () => {
		await page.click('nav a[href="#decisions"]');
		await page.waitForSelector('#decisions li', { timeout: 10000 });
		const all = await text(page, '#decisions');
		assert(/wan → sat/.test(all), all);
		assert(/test|manual/i.test(all), 'the test\'s moves are listed');
		assert(await page.locator('#decisions .chip').count() > 0, 'scores shown');
		await shot(page, '08-decisions');
	});

	await test('data module: field checks agree with the daemon\'s on every type', async () => {
		const schema = loadSchema();
		const defs = {};
		schema.sections.forEach((s) => s.options.forEach((o) => { defs[s.name + '.' + o.name] = o; }));
		schema.member.options.forEach((o) => { defs['member.' + o.name] = o; });
		const dir = mkdtempSync(join(tmpdir(), 'autonomy-web-val-'));
		const cases = [];
		Object.keys(CORPUS).forEach((k) => CORPUS[k].forEach((v) => cases.push([ k, v ])));
		const daemon = await Promise.all(cases.map((c, i) => daemonVerdict(dir, i, c[0], c[1])));
		rmSync(dir, { recursive: true, force: true });
		/* validate.js as the LuCI app installs it, loaded into the page the LuCI way */
		const browserSide = await page.evaluate((list) =>
			window.autonomyRequire('autonomy.validate', '/luci-static/resources/').then((v) =>
				list.map((c) => v.validateValue(c[0], c[1]) === true)),
		cases.map((c) => [ defs[c[0]], c[1] ]));
		const say = (ok) => (ok ? 'accepts' : 'refuses');
		const diff = [];
		cases.forEach((c, i) => {
			if (daemon[i] !== browserSide[i])
				diff.push(`${c[0]}=${JSON.stringify(c[1])}: daemon ${say(daemon[i])}, page ${say(browserSide[i])}`);
		});
		figures.validator_cases = cases.length;
		equal(diff, [], 'verdicts that differ');
		assert(daemon.some((v) => v) && daemon.some((v) => !v), 'the corpus has both');
	});

	await test('data module: a form\'s sections as UCI text, checked by the daemon', async () => {
		const sections = [
			{ '.type': 'autonomy', '.name': 'main', '.anonymous': false, backend: 'none',
				log_file: '/var/log/it\'s.log' },
			{ '.type': 'member', '.name': 'wan', '.anonymous': false, device: 'wan', priority: '1',
				target: [ '198.51.100.1', 'tcp:203.0.113.1:80' ] },
			{ '.type': 'member', '.name': 'bad', '.anonymous': false, device: 'lte', priority: '0' }
		];
		const textOk = await page.evaluate((s) => window.autonomyData.uciText(s.slice(0, 2)), sections);
		const textBad = await page.evaluate((s) => window.autonomyData.uciText(s), sections);
		const dir = mkdtempSync(join(tmpdir(), 'autonomy-web-uci-'));
		writeFileSync(join(dir, 'ok.conf'), textOk);
		writeFileSync(join(dir, 'bad.conf'), textBad);
		const ok = await run(info.autonomyctl, [ '--json', 'config', 'validate', join(dir, 'ok.conf') ]);
		equal(JSON.parse(ok.stdout).members, 1, 'the good text loads');
		const bad = await run(info.autonomyctl, [ '--json', 'config', 'validate', join(dir, 'bad.conf') ])
			.then(() => null, (e) => e);
		rmSync(dir, { recursive: true, force: true });
		assert(bad && bad.code == 1, 'priority 0 is refused');
		/* the same through the page's rpc, where the daemon takes inline text */
		const list = await page.evaluate(() => fetch('/ubus', { method: 'POST', body: JSON.stringify(
			{ jsonrpc: '2.0', id: 1, method: 'list', params: [ 'autonomy' ] }) }).then((r) => r.json()));
		const canText = await page.evaluate((l) => window.autonomyData.canValidateText(l.result), list);
		if (!canText) {
			figures.config_validate_text = 'not in this daemon: checked with autonomyctl only';
			return;
		}
		const viaRpc = await page.evaluate((t) => window.autonomyData.callConfigValidate(t)
			.then((r) => window.autonomyData.validation(r), (e) => window.autonomyData.validation(e)), textBad);
		assert(!viaRpc.valid, 'refused through /ubus');
		assert(viaRpc.errors.some((d) => /priority/.test(d.message) && d.line > 0), JSON.stringify(viaRpc));
		figures.config_validate_text = 'checked through /ubus';
	});

	await test('data module: replies to rows, errors, permissions from the session ACLs', async () => {
		const r = await page.evaluate(() => {
			const d = window.autonomyData;
			return Promise.all([ d.callStatus(), d.callMembers(), d.callDecisions(5),
				d.callFailover('no-such-member').then(() => null, (e) => ({ code: e.code, msg: e.message })) ])
				.then((x) => {
					const ov = d.overview(x[0], x[1]);
					return { active: ov.active, n: ov.members.length, summary: ov.summary,
						details: d.memberDetails(x[1]).map((m) => m.groups.map((g) => g.id).join(',')),
						decisions: d.decisionRows(x[2]).length, err: x[3],
						admin: d.permissions(JSON.parse(sessionStorage.getItem('autonomy.session')).acls) };
				});
		});
		equal(r.active, 'sat', 'overview().active (the dish carries traffic after the blackhole)');
		equal(r.n, 3, 'overview().members');
		assert(/Traffic via sat \(Starlink, score \d+\) · 2 of 3 uplinks up/.test(r.summary), r.summary);
		assert(r.details[1].indexOf('starlink') >= 0, 'the dish group: ' + r.details[1]);
		equal(r.decisions, 5, 'decisionRows(limit 5)');
		assert(r.err && r.err.code && /no-such-member/.test(r.err.msg), JSON.stringify(r.err));
		equal([ r.admin.failover, r.admin.reload, r.admin.starlink_reboot ], [ true, true, true ],
			'the admin may act');
	});

	await test('alerts: shown where the daemon keeps a history, absent where it does not', async () => {
		const list = await page.evaluate(() => fetch('/ubus', { method: 'POST', body: JSON.stringify(
			{ jsonrpc: '2.0', id: 1, method: 'list', params: [ 'autonomy' ] }) }).then((x) => x.json()));
		const has = await page.evaluate((l) => window.autonomyData.hasMethod(l.result, 'notifications'),
			list);
		await page.click('nav a[href="#decisions"]');
		await page.waitForSelector('#decisions li', { timeout: 10000 });
		await page.waitForTimeout(1500);
		equal(await page.locator('#alerts').count(), has ? 1 : 0, 'the alerts section');
		figures.alerts = has ? 'the daemon has notifications: shown' : 'no notifications method: absent';
		/* the rows of a reply in the history store's shape (src/history/hist_notify.c) */
		const rows = await page.evaluate(() => window.autonomyData.alertRows({ count: 1,
			notifications: [ { time: '2026-01-01T00:00:00Z', time_ts: 1767225600, severity: 'critical',
				kind: 'member', event: 'state', member: 'wan', text: 'wan: down', fields: {} } ] }));
		equal(rows.map((a) => [ a.severity, a.member, a.text ]), [ [ 'critical', 'wan', 'wan: down' ] ]);
		equal(await page.evaluate(() => window.autonomyData.alertRows({ error: 'x' })), [], 'no list');
		await page.click('nav a[href="#overview"]');
	});

	await test('the read-only login sees no action and a forced call is refused', async () => {
		const ro = await newPage();
		await login(ro, 'viewer', U.viewer);
		await ro.waitForSelector('#active-member', { timeout: 10000 });
		await ro.waitForSelector('article[data-member=sat]');
		equal(await ro.locator('[data-action]').count(), 0, 'action buttons for a reader');
		assert(/read only/.test(await text(ro, '.who')));
		const forced = await ro.evaluate(() => Promise.all([
			window.autonomyData.callFailover('lte', undefined, true),
			window.autonomyData.callReload(),
			window.autonomyData.callDishAction.reboot('sat', true)
		].map((p) => p.then(() => 'allowed', (e) => e.message))));
		forced.forEach((m) => assert(/-32002|Access denied/.test(m), 'not refused: ' + m));
		const perms = await ro.evaluate(() => window.autonomyData.permissions(
			JSON.parse(sessionStorage.getItem('autonomy.session')).acls));
		equal(perms.any, false, 'permissions() of the reader');
		equal((await ctl('status')).active_member, 'sat', 'nothing moved');
		await ro.click('nav a[href="#members"]');
		await ro.waitForSelector('article.member-detail[data-member=sat]');
		equal(await ro.locator('[data-action]').count(), 0, 'action buttons on the uplinks page');
		await shot(ro, '10-read-only');
		await ro.context().close();
	});

	await test('dish actions ask first; stow and unstow reach the dish', async () => {
		await page.click('nav a[href="#overview"]');
		const before = await page.locator('#notice').count() ? await text(page, '#notice') : null;
		await page.click('article[data-member=sat] [data-action="dish:reboot"]');
		const dlg = page.locator('dialog.confirm');
		await dlg.waitFor({ timeout: 5000 });
		assert(/Reboot the dish/.test(await dlg.innerText()));
		await shot(page, '09-dish-confirm');
		await dlg.locator('button', { hasText: 'Cancel' }).click();
		await dlg.waitFor({ state: 'detached', timeout: 5000 });
		const after = await page.locator('#notice').count() ? await text(page, '#notice') : null;
		equal(after, before, 'cancel sends nothing');
		await page.click('article[data-member=sat] [data-action="dish:stow"]');
		await page.click('dialog.confirm [data-confirm=stow]');
		await page.waitForFunction(() => /accepted “stow”/.test((document.querySelector('#notice') || {})
			.textContent || ''), null, { timeout: 15000 });
		await page.waitForSelector('article[data-member=sat] [data-action="dish:unstow"]', { timeout: 15000 });
		await page.click('article[data-member=sat] [data-action="dish:unstow"]');
		await page.click('dialog.confirm [data-confirm=unstow]');
		await page.waitForFunction(() => /accepted “unstow”/.test((document.querySelector('#notice') || {})
			.textContent || ''), null, { timeout: 15000 });
	});

	await test('no request left the router, no script error, no sanitizer report', async () => {
		equal(external, [], 'requests to other hosts');
		equal(pageErrors, [], 'page errors');
		/* the daemon's log, and rpcd's, where the plugin's stderr goes */
		for (const f of info.logs) {
			const log = readFileSync(f, 'utf8');
			assert(!/ERROR: AddressSanitizer|runtime error:/.test(log), `${f}:\n${log.slice(-3000)}`);
		}
	});

	await lab('impair.sh', 'wan', 'restore').catch(() => {});
	await page.context().close();
}

main().then((rc) => process.exit(rc), (e) => {
	console.log(`FAIL ${e.stack || e}`);
	console.log('0 passed, 1 failed');
	process.exit(1);
});
