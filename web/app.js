/*
 * autonomy's standalone status page (/www/autonomy/): logs in through rpcd's
 * session.login over uhttpd's /ubus JSON-RPC and shows the overview, the
 * members and the decisions, with the actions the login's ACL allows.
 * No framework and no external requests: this file, index.html and the data
 * module it shares with the LuCI app (data.js, loaded the way LuCI loads it).
 */
(function() {
'use strict';

const NULL_SID = '00000000000000000000000000000000';
const POLL_MS = 1000;          /* members: the page follows a failover live */
const SLOW_EVERY = 5;          /* status, decisions and events: every 5th poll */
const STORE = 'autonomy.session';

/* ---- the two LuCI modules data.js requires, after LuCI's semantics ------ */

/* LuCI's Class.extend: a constructor that runs __init__, prototype = props. */
const baseclass = {
	extend: function(props) {
		const Base = this;
		function Class() {
			if (typeof this.__init__ == 'function')
				this.__init__.apply(this, arguments);
		}
		Class.prototype = Object.create(Base.prototype || Object.prototype);
		Object.assign(Class.prototype, props);
		Class.prototype.constructor = Class;
		Class.extend = baseclass.extend;
		return Class;
	},
	prototype: {}
};

/* LuCI's rpc.declare over uhttpd's /ubus: positional arguments named by
 * `params`, `expect` and `filter` applied to the reply, calls made in the
 * same tick sent as one JSON-RPC batch. */
const rpc = (function() {
	let sid = NULL_SID, nextId = 1, queue = [];

	function RPCError(message, code) {
		const e = new Error(message);
		e.name = 'RPCError';
		e.code = code;
		return e;
	}

	function flush() {
		const batch = queue;
		queue = [];
		fetch('/ubus', {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify(batch.map((q) => q.msg)),
			credentials: 'same-origin',
			cache: 'no-store'
		}).then((res) => {
			if (!res.ok)
				throw RPCError('HTTP ' + res.status + ' ' + res.statusText, res.status);
			return res.json();
		}).then((replies) => {
			const byId = {};
			(Array.isArray(replies) ? replies : [ replies ]).forEach((r) => {
				if (r && r.id != null)
					byId[r.id] = r;
			});
			batch.forEach((q) => q.done(byId[q.msg.id]));
		}).catch((err) => batch.forEach((q) => q.fail(err)));
	}

	function reply(req, msg) {
		if (!msg || msg.jsonrpc != '2.0')
			throw RPCError('RPC call to ' + req.object + '/' + req.method +
				' returned invalid message frame');
		if (msg.error && msg.error.code)
			throw RPCError('RPC call to ' + req.object + '/' + req.method + ' failed with error ' +
				msg.error.code + ': ' + msg.error.message, msg.error.code);
		let ret = Array.isArray(msg.result) ?
			(msg.result.length > 1 ? msg.result[1] : msg.result[0]) : msg.result;
		if (req.expect) {
			const key = Object.keys(req.expect)[0], type = Object.prototype.toString;
			if (ret != null && key != '')
				ret = ret[key];
			if (ret == null || type.call(ret) != type.call(req.expect[key]))
				ret = req.expect[key];
		}
		if (typeof req.filter == 'function')
			ret = req.filter.apply(null, [ ret, req.params ].concat(req.priv));
		return ret;
	}

	return {
		declare: function(opts) {
			return function() {
				const args = Array.prototype.slice.call(arguments), params = {};
				(opts.params || []).forEach((name, i) => {
					params[name] = args[i];
				});
				const req = { object: opts.object, method: opts.method, params: params,
					expect: opts.expect, filter: opts.filter,
					priv: args.slice((opts.params || []).length) };
				return new Promise((resolve, reject) => {
					if (!queue.length)
						Promise.resolve().then(flush);
					queue.push({
						msg: { jsonrpc: '2.0', id: nextId++, method: 'call',
							params: [ sid, opts.object, opts.method, params ] },
						done: (msg) => {
							try {
								resolve(reply(req, msg));
							}
							catch (e) {
								reject(e);
							}
						},
						fail: reject
					});
				});
			};
		},
		getSessionID: () => sid,
		setSessionID: (s) => {
			sid = s;
		}
	};
})();

/* The page has no translations: _() gives the text as written. */
window._ = window._ || function(s) {
	return s;
};

/* LuCI's module loader in miniature: a module file is the body of a function
 * whose arguments are the modules its 'require NAME [as ALIAS]' lines name.
 * This page's own modules sit next to it (autonomy.data → data.js); with a
 * base ('/luci-static/resources/') names map as LuCI maps them. */
const provided = { baseclass: baseclass, rpc: rpc };
const loaded = {};

function requireModule(name, base) {
	if (name in provided)
		return Promise.resolve(provided[name]);
	const url = base ? base + name.replace(/\./g, '/') + '.js'
		: name.replace(/^autonomy\./, '') + '.js';
	if (!loaded[url])
		loaded[url] = fetch(url, { cache: 'no-store' }).then((res) => {
			if (!res.ok)
				throw new Error(url + ': HTTP ' + res.status);
			return res.text();
		}).then((src) => {
			const deps = [], names = [];
			const re = /^\s*(?:\/\*[\s\S]*?\*\/\s*)*'require ([\w.]+)(?: as (\w+))?';/;
			let rest = src.replace(/^\s*'use strict';/, ''), m;
			while ((m = re.exec(rest))) {
				deps.push(requireModule(m[1], base));
				names.push(m[2] || m[1].replace(/^.*\./, ''));
				rest = rest.substring(m[0].length);
			}
			return Promise.all(deps).then((values) => {
				/* eslint-disable-next-line no-new-func -- this is how LuCI loads a module */
				const factory = new Function([ 'window', 'document', 'L' ].concat(names).join(','),
					src + '\n//# sourceURL=' + url);
				const Class = factory.apply(null, [ window, document, null ].concat(values));
				return new Class();
			});
		});
	return loaded[url];
}

/* ---- DOM ------------------------------------------------------------------ */

function h(tag, attrs, children) {
	const el = document.createElement(tag);
	Object.keys(attrs || {}).forEach((k) => {
		const v = attrs[k];
		if (v == null || v === false)
			return;
		if (k.indexOf('on') == 0 && typeof v == 'function')
			el.addEventListener(k.substring(2), v);
		else if (k == 'html')
			el.innerHTML = v;            /* only SVG built by data.js, escaped there */
		else
			el.setAttribute(k, v === true ? '' : v);
	});
	[].concat(children == null ? [] : children).forEach((c) => {
		if (c != null && c !== false)
			el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
	});
	return el;
}

function $(sel) {
	return document.querySelector(sel);
}

/* ---- state ---------------------------------------------------------------- */

const state = {
	data: null,         /* the data module */
	session: null,      /* {sid, user, acls} */
	may: {},
	tab: 'overview',
	status: null,
	members: null,
	decisions: null,
	events: null,
	alerts: null,       /* null: the daemon keeps no history (no `notifications`) */
	methods: {},        /* the daemon's ubus signature (ubus list autonomy) */
	history: null,
	error: null,
	updated: 0,
	busy: {},           /* action key → true while it runs */
	notice: null,       /* {ok, text, t} */
	open: {},           /* member name → details opened on the members tab */
	polls: 0,
	wantStatus: false,  /* ask for status on the next poll (after an action) */
	waiters: [],        /* resolved when a poll that started after them ends */
	pollAgain: false,   /* a waiter came while a poll was running */
	inflight: false,
	timer: null
};

function saveSession(s) {
	state.session = s;
	rpc.setSessionID(s ? s.sid : NULL_SID);
	state.may = s ? state.data.permissions(s.acls) : {};
	try {
		if (s)
			sessionStorage.setItem(STORE, JSON.stringify(s));
		else
			sessionStorage.removeItem(STORE);
	}
	catch {
		/* private mode: the login lasts as long as the page */
	}
}

function loadSession() {
	try {
		const s = JSON.parse(sessionStorage.getItem(STORE) || 'null');
		return s && /^[0-9a-f]{32}$/.test(s.sid) ? s : null;
	}
	catch {
		return null;
	}
}

/* ---- login ----------------------------------------------------------------- */

const callLogin = rpc.declare({ object: 'session', method: 'login',
	params: [ 'username', 'password', 'timeout' ] });

function showLogin(message) {
	stopPolling();
	document.body.className = 'login';
	const err = h('p', { class: 'login-error', role: 'alert' }, message || '');
	const user = h('input', { id: 'username', name: 'username', autocomplete: 'username',
		required: true, value: state.lastUser || '' });
	const pass = h('input', { id: 'password', name: 'password', type: 'password',
		autocomplete: 'current-password' });
	const submit = h('button', { type: 'submit', class: 'primary' }, 'Log in');
	const form = h('form', { class: 'login-box', onsubmit: (ev) => {
		ev.preventDefault();
		submit.disabled = true;
		err.textContent = '';
		rpc.setSessionID(NULL_SID);
		callLogin(user.value, pass.value, 3600).then((r) => {
			if (!r || typeof r != 'object' || !r.ubus_rpc_session)
				throw new Error('Wrong user name or password');
			saveSession({ sid: r.ubus_rpc_session, user: user.value, acls: r.acls || {} });
			showApp();
		}).catch((e) => {
			err.textContent = /Access denied|-32002/.test(e.message) ?
				'This router does not allow logins over /ubus (rpcd\'s unauthenticated ACL).' :
				e.message;
			submit.disabled = false;
		});
	} }, [
		h('div', { class: 'brand' }, [ logo(), h('span', {}, 'autonomy') ]),
		h('p', { class: 'muted' }, 'Uplink failover status of this router'),
		h('label', { for: 'username' }, 'User name'), user,
		h('label', { for: 'password' }, 'Password'), pass,
		submit, err
	]);
	$('#app').replaceChildren(h('main', { class: 'login-wrap' }, form));
	(user.value ? pass : user).focus();
}

function logo() {
	return h('span', { class: 'logo', 'aria-hidden': 'true', html:
		'<svg viewBox="0 0 24 24" width="22" height="22"><path fill="none" stroke="currentColor" ' +
		'stroke-width="2" stroke-linecap="round" d="M4 17a11 11 0 0 1 16 0M7 13.5a7 7 0 0 1 10 0' +
		'M10 10a3 3 0 0 1 4 0"/><circle cx="12" cy="19" r="1.6" fill="currentColor"/></svg>' });
}

/* ---- polling ---------------------------------------------------------------- */

function stopPolling() {
	clearTimeout(state.timer);
	state.timer = null;
}

function schedule() {
	stopPolling();
	state.timer = setTimeout(poll, document.hidden ? POLL_MS * 5 : POLL_MS);
}

function expired(e) {
	return e && (e.code == -32002 || /-32002|Access denied/.test(e.message));
}

function activeOf(members) {
	const a = (members || []).filter((m) => m.active)[0];
	return a ? a.name : null;
}

/* Each tick asks for `members` (one plugin call: the states, the scores and
 * which member is active); `status` (pinned, last switch) every 5th tick,
 * after an action, and at once when the active member changed. */
function poll() {
	if (state.inflight)
		return schedule();
	const d = state.data, waiters = state.waiters.splice(0);
	const slow = state.tab == 'decisions' && (state.polls % SLOW_EVERY == 0 || !state.decisions);
	const withStatus = !state.status || state.wantStatus || state.polls % SLOW_EVERY == 0;
	const calls = [ d.callMembers(), withStatus ? d.callStatus() : null ];
	if (slow)
		calls.push(d.callDecisions(50), d.callMonitor(),
			d.hasMethod(state.methods, 'notifications') ? d.callNotifications(50) : null);
	state.inflight = true;
	state.wantStatus = false;
	state.polls++;
	Promise.all(calls).then((r) => {
		state.members = r[0];
		state.history.add(r[0]);
		if (r[1])
			state.status = r[1];
		if (slow) {
			state.decisions = r[2];
			state.events = r[3].events;
			state.alerts = r[4] ? d.alertRows(r[4]) : null;
		}
		if (activeOf(r[0]) != state.status.active_member)
			return d.callStatus().then((st) => {
				state.status = st;
			});
	}).then(() => {
		state.error = null;
		state.updated = Date.now();
	}).catch((e) => {
		if (expired(e)) {
			state.lastUser = state.session.user;
			saveSession(null);
			return showLogin('Your session has ended: log in again.');
		}
		state.error = e.message;
	}).finally(() => {
		state.inflight = false;
		waiters.forEach((resolve) => resolve());
		if (state.pollAgain) {
			state.pollAgain = false;
			return poll();
		}
		if (document.body.className != 'login') {
			render();
			schedule();
		}
	});
}

/* A poll that starts now (after the one running, if any): what an action
 * changed is on the page before its result is. */
function pollFresh() {
	return new Promise((resolve) => {
		state.waiters.push(resolve);
		state.wantStatus = true;
		if (state.inflight)
			state.pollAgain = true;
		else
			poll();
	});
}

/* ---- actions --------------------------------------------------------------- */

function notify(ok, text) {
	state.notice = { ok: ok, text: text, t: Date.now() };
	render();
}

function act(key, fn, describe) {
	if (state.busy[key])
		return;
	state.busy[key] = true;
	state.notice = null;          /* the old result is not this action's */
	render();
	fn().then(describe).then((text) => ({ ok: true, text: text }), (e) => ({ ok: false, text: e.message }))
		.then((n) => pollFresh().then(() => {
			delete state.busy[key];
			notify(n.ok, n.text);
		}));
}

function failover(name, mode) {
	const d = state.data;
	act('failover:' + name + ':' + mode,
		() => d.callFailover(name, mode == 'force' || undefined, mode == 'test' || undefined),
		(r) => {
			const res = d.failoverResult(r);
			if (!res.ok)
				throw new Error(res.text);
			return res.text;
		});
}

function failoverAuto() {
	const d = state.data;
	act('auto', () => d.callFailover(undefined, undefined, undefined, true),
		() => 'Automatic selection again.');
}

function reload() {
	const d = state.data;
	act('reload', () => d.callReload(), (r) => d.fmt('Configuration reloaded: %d members%s.',
		r.members, r.warnings && r.warnings.length ? d.fmt(', %d warnings', r.warnings.length) : ''));
}

const DISH_TEXT = {
	reboot: [ 'Reboot the dish', 'The dish behind %s restarts and is offline for a minute or ' +
		'two. Traffic moves to another uplink first when one is healthy.', 'Reboot' ],
	stow: [ 'Stow the dish', 'The dish behind %s folds flat and stops serving until it is ' +
		'unstowed. Traffic moves to another uplink first when one is healthy.', 'Stow' ],
	unstow: [ 'Unstow the dish', 'The dish behind %s unfolds and looks for satellites again.',
		'Unstow' ]
};

function confirmDish(member, action) {
	const t = DISH_TEXT[action], d = state.data;
	const dialog = h('dialog', { class: 'confirm', 'aria-labelledby': 'confirm-title' }, [
		h('h2', { id: 'confirm-title' }, t[0]),
		h('p', {}, d.fmt(t[1], member)),
		h('div', { class: 'buttons' }, [
			h('button', { type: 'button', onclick: () => dialog.close() }, 'Cancel'),
			h('button', { type: 'button', class: 'danger', 'data-confirm': action, onclick: () => {
				dialog.close();
				act('dish:' + action, () => d.callDishAction[action](member, true),
					(r) => d.dishActionResult(r).text);
			} }, t[2])
		])
	]);
	dialog.addEventListener('close', () => dialog.remove());
	document.body.appendChild(dialog);
	dialog.showModal();
}

/* ---- rendering ------------------------------------------------------------- */

function badge(st, text) {
	return h('span', { class: 'badge ' + st }, text);
}

function button(label, key, onclick, cls) {
	const busy = !!state.busy[key];
	return h('button', { type: 'button', class: cls || '', disabled: busy, 'data-action': key,
		onclick: onclick }, busy ? label + '…' : label);
}

function header(ov) {
	const d = state.data, tabs = [ [ 'overview', 'Overview' ], [ 'members', 'Uplinks' ],
		[ 'decisions', 'Decisions' ] ];
	return h('header', { class: 'top' }, [
		h('div', { class: 'brand' }, [ logo(), h('span', {}, 'autonomy') ]),
		h('nav', { class: 'tabs' }, tabs.map((t) => h('a', { href: '#' + t[0],
			class: state.tab == t[0] ? 'on' : '', 'aria-current': state.tab == t[0] ? 'page' : null },
		t[1]))),
		h('div', { class: 'who' }, [
			h('span', { class: 'muted', title: state.may.any ? 'may act' : 'read only' },
				state.session.user + (state.may.any ? '' : ' (read only)')),
			h('button', { type: 'button', class: 'link', onclick: () => {
				state.lastUser = state.session.user;
				saveSession(null);
				showLogin();
			} }, 'Log out')
		]),
		ov ? h('section', { class: 'hero ' + (ov.activeRow ? ov.activeRow.state : 'down') }, [
			h('div', { class: 'hero-main' }, [
				h('div', { class: 'hero-label' }, 'Internet via'),
				h('div', { class: 'hero-active', id: 'active-member' }, ov.active || 'nothing'),
				h('div', { class: 'hero-sub' }, ov.activeRow ? d.fmt('%s · score %s · %s',
					ov.activeRow.classLabel, ov.activeRow.scoreText, ov.activeRow.latency) :
					'No uplink carries traffic')
			]),
			h('div', { class: 'hero-side' }, [
				h('div', {}, [ badge(ov.pinned ? 'pinned' : 'auto', ov.selection) ].concat(
					ov.observeOnly ? [ ' ', badge('observe', 'observing only') ] : [])),
				ov.lastSwitch ? h('div', { class: 'muted', id: 'last-switch' }, d.fmt('Last switch %s: %s',
					ov.lastSwitch.time, ov.lastSwitch.text)) : null,
				ov.lastSwitch ? h('div', { class: 'reason' }, ov.lastSwitch.reason) : null,
				h('div', { class: 'hero-actions' }, [
					ov.pinned && state.may.failover ?
						button('Back to automatic', 'auto', failoverAuto, 'primary') : null,
					state.may.reload ? button('Reload config', 'reload', reload) : null
				])
			])
		]) : null
	]);
}

const NOTICE_MS = 30000;      /* a result stays this long, or until dismissed */

function noticeBar() {
	const n = state.notice;
	if (!n || Date.now() - n.t > NOTICE_MS)
		return null;
	return h('div', { class: 'notice ' + (n.ok ? 'ok' : 'fail'), role: 'status', id: 'notice' }, [
		h('span', {}, n.text),
		h('button', { type: 'button', class: 'link', 'aria-label': 'dismiss', onclick: () => {
			state.notice = null;
			render();
		} }, '×')
	]);
}

function memberActions(m) {
	const may = state.may, out = [];
	if (may.failover) {
		if (!m.active)
			out.push(button('Use now', 'failover:' + m.name + ':once', () => failover(m.name, 'once')));
		out.push(button('Pin', 'failover:' + m.name + ':force', () => failover(m.name, 'force')));
		if (!m.active)
			out.push(button('Test', 'failover:' + m.name + ':test', () => failover(m.name, 'test')));
	}
	if (m.isDish) {
		[ 'reboot', m.dishStowed ? 'unstow' : 'stow' ].forEach((a) => {
			if (may['starlink_' + a])
				out.push(button(DISH_TEXT[a][2] + ' dish', 'dish:' + a, () => confirmDish(m.name, a),
					'danger-outline'));
		});
	}
	return out.length ? h('div', { class: 'actions' }, out) : null;
}

function memberCard(m) {
	const d = state.data;
	const spark = state.charts.sparkline(state.history.points(m.name, 'score'),
		{ min: 0, max: 100, span: state.history.window(), width: 240, height: 40, cls: 'spark',
			label: 'health score over ' + state.history.windowLabel() });
	return h('article', { class: 'card member ' + m.state + (m.active ? ' active' : ''),
		'data-member': m.name, style: '--mc:' + state.charts.memberColour(m.name) }, [
		h('div', { class: 'card-head' }, [
			h('div', {}, [
				h('h3', {}, [ m.name, m.active ? h('span', { class: 'pill' }, 'carrying traffic') : null ]),
				h('div', { class: 'muted' }, d.fmt('%s · %s · priority %s', m.classLabel,
					m.iface || m.device, m.priority))
			]),
			h('div', { class: 'score', title: 'health score (0–100)' }, [
				h('span', { class: 'score-num' }, m.scoreText), badge(m.state, m.stateLabel)
			])
		]),
		h('div', { class: 'metrics' }, [
			metric('Latency', m.latency), metric('Jitter', m.jitter), metric('Loss', m.loss)
		]),
		h('div', { class: 'chart-label muted' }, 'Health score, ' + state.history.windowLabel()),
		h('div', { class: 'chart', html: spark }),
		m.why.length ? h('ul', { class: 'why' }, m.why.map((t) => h('li', {}, t)))
			: h('p', { class: 'why ok' }, m.reason == 'ok' ? 'No problems seen' : m.reason),
		memberActions(m)
	]);
}

function metric(label, value) {
	return h('div', { class: 'metric' }, [ h('span', { class: 'muted' }, label), h('b', {}, value) ]);
}

function overviewView(ov) {
	const legend = ov.members.map((m) => h('span', { class: 'legend' }, [
		h('i', { style: 'background:' + state.charts.memberColour(m.name) }), m.name ]));
	return h('div', {}, [
		h('section', { class: 'card timeline' }, [
			h('div', { class: 'card-head' }, [ h('h3', {}, 'Which uplink carried traffic'),
				h('div', { class: 'muted' }, legend) ]),
			h('div', { class: 'chart', html: state.charts.activeBand(state.history.activeSeries,
				state.charts.memberColour, { span: state.history.window(), width: 600, height: 16,
					label: 'active uplink over ' + state.history.windowLabel() }) }),
			h('div', { class: 'axis muted' }, [ h('span', {}, state.history.windowLabel()),
				h('span', {}, 'now') ])
		]),
		h('div', { class: 'grid', id: 'members' }, ov.members.map(memberCard))
	]);
}

function kvTable(rows) {
	return h('table', { class: 'kv' }, h('tbody', {}, rows.map((r) =>
		h('tr', {}, [ h('th', {}, r[0]), h('td', {}, r[1]) ]))));
}

function targetTable(targets) {
	return h('table', { class: 'targets' }, [
		h('thead', {}, h('tr', {}, [ 'Target', 'Last', 'RTT', 'Loss', 'Sent' ].map((t) =>
			h('th', {}, t)))),
		h('tbody', {}, targets.map((t) => h('tr', { class: t.ok === false ? 'bad' : '' }, [
			h('td', { class: 'mono' }, t.target),
			h('td', { title: t.error || t.ago }, [ t.last, t.error ? h('div', { class: 'muted' }, t.error)
				: null ]),
			h('td', {}, t.rtt), h('td', {}, t.lossPct), h('td', {}, t.sent)
		])))
	]);
}

function membersView() {
	const d = state.data;
	return h('div', { class: 'stack' }, d.memberDetails(state.members).map((m) => {
		const lat = state.charts.sparkline(state.history.points(m.name, 'latency'), { min: 0,
			span: state.history.window(), width: 300, height: 40, cls: 'spark lat',
			label: 'latency over ' + state.history.windowLabel() });
		return h('article', { class: 'card member-detail ' + m.state, 'data-member': m.name }, [
			h('div', { class: 'card-head' }, [
				h('div', {}, [ h('h3', {}, [ m.name, m.active ?
					h('span', { class: 'pill' }, 'carrying traffic') : null ]),
				h('div', { class: 'muted' }, m.classLabel) ]),
				h('div', { class: 'score' }, [ h('span', { class: 'score-num' }, m.scoreText),
					badge(m.state, m.stateLabel) ])
			]),
			h('div', { class: 'chart-label muted' }, 'Latency, ' + state.history.windowLabel()),
			h('div', { class: 'chart', html: lat }),
			h('div', { class: 'groups' }, m.groups.map((g) => h('section', { class: 'group' +
				(g.warn ? ' warn' : ''), 'data-group': g.id }, [
				h('h4', {}, g.title), kvTable(g.rows), g.targets ? targetTable(g.targets) : null
			]))),
			memberActions(m)
		]);
	}));
}

function decisionsView() {
	const d = state.data;
	if (!state.decisions)
		return h('p', { class: 'muted' }, 'Loading…');
	const rows = d.decisionRows(state.decisions), events = d.eventRows(state.events || []);
	const alerts = state.alerts ? h('section', { class: 'card alerts', id: 'alerts' }, [
		h('h3', {}, 'Alerts of the last 24 hours'),
		state.alerts.length ? h('ol', { class: 'events' }, state.alerts.map((a) => h('li', {}, [
			badge(a.severity == 'warning' ? 'degraded' : 'down', a.severityLabel), ' ',
			h('span', { class: 'muted' }, a.time), ' ', a.member ? h('b', {}, a.member + ': ') : null,
			a.text ]))) : h('p', { class: 'muted' }, 'None.')
	]) : null;
	return h('div', { class: 'stack' }, [ alerts, h('div', { class: 'two' }, [

		h('section', { class: 'card' }, [
			h('h3', {}, 'Decisions'),
			rows.length ? h('ol', { class: 'timeline-list', id: 'decisions' }, rows.map((r) =>
				h('li', { class: 'dec ' + r.type }, [
					h('div', { class: 'dec-head' }, [ badge(r.type, r.typeLabel),
						h('b', {}, r.move), h('span', { class: 'muted' }, r.time) ]),
					h('div', { class: 'reason' }, r.reason),
					h('div', { class: 'scores' }, r.scores.map((s) => h('span', { class: 'chip' },
						d.fmt('%s %s', s.name, s.score))))
				]))) : h('p', { class: 'muted' }, 'No decisions yet.')
		]),
		h('section', { class: 'card' }, [
			h('h3', {}, 'Recent events'),
			h('ol', { class: 'events' }, events.map((e) => h('li', {}, [
				h('span', { class: 'muted' }, e.time), ' ', h('b', {}, e.kind), ' ', e.text ])))
		])
	]) ]);
}

function render() {
	if (!state.session || document.body.className == 'login')
		return;
	const d = state.data;
	const ov = state.status && state.members ? d.overview(state.status, state.members) : null;
	let body;
	if (!ov)
		body = h('p', { class: 'muted' }, state.error || 'Loading…');
	else if (state.tab == 'members')
		body = membersView();
	else if (state.tab == 'decisions')
		body = decisionsView();
	else
		body = overviewView(ov);
	const stale = state.error ? h('div', { class: 'notice fail', role: 'alert', id: 'stale' },
		d.fmt('%s (shown: %s)', state.error, state.updated ? d.fmtTime(state.updated / 1000)
			: 'nothing yet')) : null;
	const main = h('main', { class: 'page' }, [ stale, noticeBar(), body ]);
	const footer = h('footer', { class: 'muted' }, ov ? d.fmt('autonomy %s · up %s · updated %s',
		ov.version || '', ov.uptime, d.fmtTime(state.updated / 1000)) : '');
	const focus = document.activeElement && document.activeElement.getAttribute('data-action');
	$('#app').replaceChildren(header(ov), main, footer);
	if (focus) {
		const el = document.querySelector('[data-action="' + CSS.escape(focus) + '"]');
		if (el)
			el.focus();
	}
}

function route() {
	const t = (location.hash || '#overview').substring(1);
	state.tab = [ 'overview', 'members', 'decisions' ].indexOf(t) >= 0 ? t : 'overview';
	render();
	if (state.tab == 'decisions' && !state.decisions && state.session)
		poll();
}

/* The object's methods and arguments (uhttpd answers a JSON-RPC list
 * without a session): which optional methods this daemon has. */
function listMethods() {
	return fetch('/ubus', { method: 'POST', headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'list', params: [ 'autonomy' ] }) })
		.then((r) => r.json()).then((r) => r.result || {}, () => ({}));
}

function showApp() {
	document.body.className = 'app';
	listMethods().then((m) => {
		state.methods = m;
	});
	state.history = new state.charts.History(3600000);
	state.status = state.members = state.decisions = null;
	route();
	poll();
}

window.addEventListener('hashchange', route);
document.addEventListener('visibilitychange', () => {
	if (!document.hidden && state.timer)
		poll();
});

Promise.all([ requireModule('autonomy.data'), requireModule('autonomy.charts') ]).then((mods) => {
	state.data = mods[0];
	state.charts = mods[1];
	/* for the browser tests and the curious */
	window.autonomyData = mods[0];
	window.autonomyRequire = requireModule;
	const s = loadSession();
	if (s) {
		saveSession(s);
		showApp();
	}
	else {
		showLogin();
	}
}).catch((e) => {
	$('#app').replaceChildren(h('p', { class: 'login-error' }, 'This page could not start: ' +
		e.message));
});
})();
