'use strict';
'require baseclass';
'require rpc';

/*
 * autonomy's web data module, shared by the LuCI views (view/autonomy/*.js,
 * the status include) and the standalone page (/www/autonomy/): the rpc
 * declarations of the `autonomy` ubus object and the functions that turn its
 * replies into rows. It never touches the DOM; what it returns is plain data
 * (and SVG markup for the charts), so both front ends render it their way.
 *
 * The standalone page loads this very file the way LuCI does (the body of a
 * function whose arguments are the required modules; see web/app.js), with
 * its own small `baseclass` and `rpc` that follow LuCI's semantics.
 */

/* LuCI's _() where it exists; the standalone page provides its own. */
function fmt(template) {
	const args = Array.prototype.slice.call(arguments, 1);
	let i = 0;
	return String(template).replace(/%[sd%]/g, (m) => {
		if (m == '%%')
			return '%';
		const v = args[i++];
		return m == '%d' ? String(Math.round(Number(v))) : String(v);
	});
}

function isObject(v) {
	return v != null && typeof v == 'object' && !Array.isArray(v);
}

function num(v) {
	return typeof v == 'number' && isFinite(v) ? v : null;
}

/* Numbers the way a router owner reads them: 0.07 ms, 12 ms, 130 ms. */
function fmtMs(v) {
	v = num(v);
	if (v == null)
		return '–';
	if (v < 1)
		return fmt('%s ms', v.toFixed(2));
	if (v < 10)
		return fmt('%s ms', v.toFixed(1));
	return fmt('%s ms', v.toFixed(0));
}

function fmtPct(v) {
	v = num(v);
	if (v == null)
		return '–';
	return fmt('%s %', v < 10 && v != 0 ? v.toFixed(1) : v.toFixed(0));
}

function fmtBytes(v) {
	v = num(v);
	if (v == null)
		return '–';
	const units = [ 'B', 'KiB', 'MiB', 'GiB', 'TiB' ];
	let i = 0;
	while (v >= 1024 && i < units.length - 1) {
		v /= 1024;
		i++;
	}
	return fmt('%s %s', i == 0 ? v.toFixed(0) : v.toFixed(v < 10 ? 1 : 0), units[i]);
}

function fmtRate(bps) {
	bps = num(bps);
	if (bps == null)
		return '–';
	if (bps >= 1e6)
		return fmt('%s Mbit/s', (bps / 1e6).toFixed(1));
	return fmt('%s kbit/s', (bps / 1e3).toFixed(0));
}

function fmtDuration(s) {
	s = num(s);
	if (s == null)
		return '–';
	s = Math.max(0, Math.round(s));
	if (s < 60)
		return fmt(_('%d s'), s);
	if (s < 3600)
		return fmt(_('%d min %d s'), Math.floor(s / 60), s % 60);
	if (s < 86400)
		return fmt(_('%d h %d min'), Math.floor(s / 3600), Math.floor(s % 3600 / 60));
	return fmt(_('%d d %d h'), Math.floor(s / 86400), Math.floor(s % 86400 / 3600));
}

function fmtAgo(s) {
	s = num(s);
	return s == null ? '–' : fmt(_('%s ago'), fmtDuration(s));
}

/* Local time of a Unix timestamp: the router owner's clock, not UTC; with
 * withDate, the date too when it is not today. */
function fmtTime(ts, withDate) {
	ts = num(ts);
	if (ts == null)
		return '–';
	const d = new Date(ts * 1000), p = (n) => (n < 10 ? '0' : '') + n;
	const hm = fmt('%s:%s:%s', p(d.getHours()), p(d.getMinutes()), p(d.getSeconds()));
	if (!withDate || d.toDateString() == new Date().toDateString())
		return hm;
	return fmt('%s-%s-%s %s', d.getFullYear(), p(d.getMonth() + 1), p(d.getDate()), hm);
}

function esc(s) {
	return String(s).replace(/[&<>"']/g, (c) => ({
		'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\'': '&#39;'
	})[c]);
}

/* ---- replies and errors ---------------------------------------------------- */

/* rpcd's status codes for a call that did not reach our plugin or failed in
 * rpcd (rpc.js resolves with the number instead of an object). */
const UBUS_STATUS = [
	'ok', 'invalid command', 'invalid argument', 'method not found',
	'not found', 'no data', 'permission denied', 'timeout', 'not supported',
	'unknown error', 'connection failed'
];

function AutonomyError(code, message, details) {
	const e = new Error(message);
	e.name = 'AutonomyError';
	e.code = code;
	e.details = details || null;
	return e;
}

/* The plugin answers {"error":{code,message,details}} for a failed command
 * (rpcd takes only objects), and arrays wrapped in an object named after the
 * method. This turns both into what the views want, or throws. */
function unwrap(key) {
	return function(reply) {
		if (typeof reply == 'number')
			throw AutonomyError('ubus_' + (UBUS_STATUS[reply] || reply).replace(/ /g, '_'),
				fmt(_('The router refused the call: %s'), UBUS_STATUS[reply] || reply));
		if (!isObject(reply))
			throw AutonomyError('bad_reply', _('The router sent no usable answer'));
		if (isObject(reply.error))
			throw AutonomyError(reply.error.code || 'failed', reply.error.message || _('failed'),
				reply.error.details);
		if (key == null)
			return reply;
		if (!(key in reply))
			throw AutonomyError('bad_reply', fmt(_('The answer has no "%s"'), key));
		return reply[key];
	};
}

function declare(method, params, key) {
	return rpc.declare({ object: 'autonomy', method: method, params: params || [],
		filter: unwrap(key) });
}

const callStatus = declare('status');
const callMembers = declare('members', [], 'members');
const callMonitor = declare('monitor');
const callHealth = declare('health');
const callDecisions = declare('decisions', [ 'limit' ], 'decisions');
const callConfigShow = declare('config_show');
const callConfigValidate = declare('config_validate', [ 'text' ]);
const callFailover = declare('failover', [ 'interface', 'force', 'test', 'auto' ]);
const callReload = declare('reload');
const callStarlink = declare('starlink', [ 'member' ]);
const callCellular = declare('cellular', [ 'member' ]);
const callWifi = declare('wifi', [ 'member' ]);
const callDishAction = {
	reboot: declare('starlink_reboot', [ 'member', 'confirm' ]),
	stow: declare('starlink_stow', [ 'member', 'confirm' ]),
	unstow: declare('starlink_unstow', [ 'member', 'confirm' ])
};
/* The history store's, where the daemon has it: the pages look for it in the
 * object's ubus signature (hasMethod) and call it only then. */
const callNotifications = declare('notifications', [ 'limit' ]);
const OPTIONAL_METHODS = [ 'notifications' ];

/* rpcd's own: what this session may call (LuCI has no per-method check). */
const callSessionAccess = rpc.declare({ object: 'session', method: 'access',
	params: [ 'scope', 'object', 'function' ] });

/* ---- what the session may do ---------------------------------------------- */

/* The methods that change something; each button is offered only when the
 * session's ACL grants its method, as uhttpd will check it. */
const ACTIONS = [ 'failover', 'reload', 'starlink_reboot', 'starlink_stow',
	'starlink_unstow' ];

/* rpcd matches ACL entries with fnmatch(3): '*' and '?' are wildcards. */
function globMatch(pattern, s) {
	const re = String(pattern).replace(/[.+^${}()|[\]\\]/g, '\\$&')
		.replace(/\*/g, '.*').replace(/\?/g, '.');
	return new RegExp('^' + re + '$').test(s);
}

/* acls: rpcd's dump of a session's ACLs (session.login's reply has it, and
 * session.access without object/function returns it):
 * {"ubus": {"autonomy": ["status", ...], "*": ["*"]}, ...}. */
function permissions(acls) {
	const ubus = isObject(acls) && isObject(acls.ubus) ? acls.ubus : {};
	const may = {};
	ACTIONS.forEach((m) => {
		may[m] = Object.keys(ubus).some((obj) => globMatch(obj, 'autonomy') &&
			Array.isArray(ubus[obj]) && ubus[obj].some((fn) => globMatch(fn, m)));
	});
	may.any = ACTIONS.some((m) => may[m]);
	return may;
}

/* ---- members ----------------------------------------------------------------- */

const CLASS_LABEL = {
	starlink: _('Starlink'), cellular: _('Cellular'), wifi: _('Wi-Fi'),
	lan: _('Wired'), other: _('Other'), auto: _('Auto')
};

const STATE_LABEL = {
	up: _('up'), degraded: _('degraded'), down: _('down'), unknown: _('measuring'),
	disabled: _('disabled')
};

function memberState(m) {
	if (m.enabled === false)
		return 'disabled';
	return STATE_LABEL[m.state] ? m.state : 'unknown';
}

/* Penalties of the score and of the link's own telemetry, largest first. */
function penalties(m) {
	const out = [];
	(m.penalties || []).forEach((p) => out.push({ points: p.points, text: p.text }));
	(m.telemetry && m.telemetry.penalties || []).forEach((p) => {
		if (!out.some((q) => q.text.indexOf(p.text) == 0))
			out.push({ points: p.points, text: p.text + (p.points ? ' -' + p.points : '') });
	});
	return out.sort((a, b) => b.points - a.points);
}

/* What the link's hardware is saying, in a few words, for the overview. */
function telemetryFlags(m) {
	const t = m.telemetry || {}, flags = [];
	if (t.predicted_outage)
		flags.push(fmt(_('outage predicted: %s'), t.predicted_outage));
	if (t.excluded)
		flags.push(fmt(_('last resort: %s'), t.excluded));
	if (t.link_down)
		flags.push(fmt(_('link down: %s'), t.link_down));
	if (m.data_usage && m.data_usage.used_pct != null)
		flags.push(fmt(_('%s of the data plan used'), fmtPct(m.data_usage.used_pct)));
	return flags;
}

function memberRow(m) {
	const state = memberState(m), pens = penalties(m), flags = telemetryFlags(m);
	return {
		name: m.name,
		cls: m.class,
		classLabel: CLASS_LABEL[m.class] || m.class,
		device: m.device,
		iface: m.interface,
		priority: m.priority,
		active: !!m.active,
		state: state,
		stateLabel: STATE_LABEL[state],
		score: num(m.health_score),
		scoreText: num(m.health_score) == null ? '–' : String(m.health_score),
		reason: m.reason || '',
		penalties: pens,
		/* why the score is what it is, in a few lines (empty: all is well) */
		why: pens.map((p) => p.text).concat(flags),
		latency: fmtMs(m.latency_ms),
		jitter: fmtMs(m.jitter_ms),
		loss: fmtPct(m.loss_pct),
		carrier: m.carrier,
		metered: !!m.metered,
		flags: flags,
		isDish: m.class == 'starlink' && isObject(m.starlink),
		/* stowed or asked to be: the dish action offered is unstow */
		dishStowed: isObject(m.starlink) && !!(m.starlink.stow_requested ||
			(m.starlink.diagnostics && m.starlink.diagnostics.stowed))
	};
}

/* "wan → sat", or what it means when nothing moved. */
function moveText(from, to) {
	if (!from)
		return fmt(_('started on %s'), to || '–');
	if (from == to)
		return fmt(_('stayed on %s'), to);
	return fmt(_('%s → %s'), from, to || '–');
}

function switchText(ls) {
	if (!isObject(ls))
		return null;
	return {
		time: fmtTime(ls.time_ts, true),
		ts: ls.time_ts,
		from: ls.from,
		to: ls.to,
		reason: ls.reason || '',
		text: moveText(ls.from, ls.to)
	};
}

/* status + members → everything the overview shows. */
function overview(status, members) {
	status = isObject(status) ? status : {};
	const rows = (members || []).map(memberRow);
	const active = rows.filter((r) => r.active)[0] || null;
	const counts = { up: 0, degraded: 0, down: 0, unknown: 0, disabled: 0 };
	rows.forEach((r) => counts[r.state]++);
	let headline;
	if (!status.active_member)
		headline = _('No uplink carries traffic');
	else
		headline = fmt(_('Traffic via %s'), status.active_member);
	return {
		active: status.active_member || null,
		activeRow: active,
		headline: headline,
		pinned: !!status.pinned,
		selection: status.pinned ? _('pinned by an operator') : _('automatic'),
		mode: status.mode || null,
		observeOnly: status.mode == 'observe',
		backend: status.backend || null,
		backendRefused: status.backend_refused || null,
		lastSwitch: switchText(status.last_switch),
		uptime: fmtDuration(status.uptime_s),
		version: status.version || null,
		counts: counts,
		members: rows,
		summary: summary(status, rows, counts)
	};
}

/* One line for LuCI's status page. */
function summary(status, rows, counts) {
	const parts = [];
	if (status.active_member) {
		const a = rows.filter((r) => r.active)[0];
		parts.push(a ? fmt(_('Traffic via %s (%s, score %s)'), a.name, a.classLabel, a.scoreText)
			: fmt(_('Traffic via %s'), status.active_member));
	}
	else {
		parts.push(_('No uplink carries traffic'));
	}
	parts.push(fmt(_('%d of %d uplinks up'), counts.up + counts.degraded, rows.length));
	if (status.pinned)
		parts.push(_('pinned'));
	if (status.mode == 'observe')
		parts.push(_('observing only'));
	return parts.join(' · ');
}

/* ---- one member in detail ---------------------------------------------------- */

function row(label, value) {
	return [ label, value == null || value === '' ? '–' : String(value) ];
}

function yesNo(v) {
	return v == null ? null : (v ? _('yes') : _('no'));
}

function linkGroup(m) {
	const l = m.link || {};
	return { id: 'link', title: _('Link'), rows: [
		row(_('Device'), m.device + (m.interface ? fmt(' (%s)', m.interface) : '')),
		row(_('Present'), yesNo(m.exists)),
		row(_('Carrier'), yesNo(m.carrier)),
		row(_('Operational state'), l.oper_state),
		row(_('Addresses'), (l.addresses || []).join(', ')),
		row(_('Changed'), fmtAgo(l.changed_ago_s)),
		row(_('Priority'), m.priority),
		row(_('Metered'), yesNo(m.metered))
	] };
}

const OUTCOME_LABEL = {
	reply: _('reply'), lost: _('lost'), late: _('late reply'), send_err: _('not sent')
};

function targetRows(m) {
	const p = m.probes || {};
	return (p.results || (p.targets || []).map((t) => ({ target: t }))).map((t) => ({
		target: t.target,
		sent: t.sent == null ? '–' : String(t.sent),
		lossPct: t.sent ? fmtPct(100 * t.lost / t.sent) : '–',
		last: t.last ? OUTCOME_LABEL[t.last] || t.last : '–',
		ok: t.last == 'reply' || t.last == 'late' ? true : (t.last ? false : null),
		rtt: fmtMs(t.last_rtt_ms),
		ago: fmtAgo(t.last_ago_s),
		error: t.last_error || ''
	}));
}

function probeGroup(m) {
	const p = m.probes || {};
	return { id: 'probes', title: _('Measurements'), rows: [
		row(_('Latency (median)'), fmtMs(m.latency_ms)),
		row(_('Latency (95th percentile)'), fmtMs(m.p95_ms)),
		row(_('Jitter'), fmtMs(m.jitter_ms)),
		row(_('Loss'), fmtPct(m.loss_pct)),
		row(_('Lost in a row'), m.consecutive_lost),
		row(_('Last reply'), fmtAgo(m.last_reply_ago_s)),
		row(_('Probing'), p.role ? fmt(_('%s, every %s'), p.role.replace('_', ' '),
			fmtDuration((p.interval_ms || 0) / 1000)) : null),
		row(_('Probe traffic'), p.bytes_per_day != null ?
			fmt(_('%s per day'), fmtBytes(p.bytes_per_day)) : null)
	], targets: targetRows(m) };
}

function starlinkGroup(s) {
	const ob = s.obstruction || {}, up = s.software_update || {}, pr = s.prediction || {};
	const rows = [
		row(_('Dish'), s.reachable ? s.state : fmt(_('not answering (%s)'), s.error || s.state)),
		row(_('Outage'), s.outage ? fmt(_('%s for %s'), s.outage.cause,
			fmtDuration(s.outage.duration_s)) : (s.reachable ? _('none') : null)),
		row(_('Latency to the PoP'), s.latency_believed === false ? _('not reported') :
			fmtMs(s.pop_ping_latency_ms)),
		row(_('Drop rate to the PoP'), s.pop_ping_drop_rate == null ? null :
			fmtPct(100 * s.pop_ping_drop_rate)),
		row(_('Obstructed'), ob.fraction_obstructed == null ? null :
			fmt(_('%s of the sky%s'), fmtPct(100 * ob.fraction_obstructed),
				ob.currently_obstructed ? _(', obstructed now') : '')),
		row(_('Alerts'), (s.alerts || []).join(', ') || (s.reachable ? _('none') : null)),
		row(_('Software update'), up.state ? up.state + (up.reboot_scheduled ?
			fmt(_(', reboot at %s'), fmtTime(up.reboot_scheduled_ts, true)) : '') : null),
		row(_('Prediction'), pr.plan && pr.plan != 'none' ? pr.plan + (pr.reboot_at ?
			fmt(_(', reboot at %s'), fmtTime(pr.reboot_at_ts, true)) : '') : _('nothing expected')),
		row(_('Stowed'), s.diagnostics ? yesNo(s.diagnostics.stowed) : null),
		row(_('Uptime'), s.uptime_s != null ? fmtDuration(s.uptime_s) : null)
	];
	if (s.device)
		rows.push(row(_('Software'), s.device.software_version));
	return { id: 'starlink', title: _('Starlink dish'), rows: rows,
		warn: !!(s.outage || (s.alerts && s.alerts.length) || pr.obstruction_building) };
}

function cellularGroup(c) {
	const sig = c.signal || c;
	return { id: 'cellular', title: _('Modem'), rows: [
		row(_('State'), c.state + (c.error ? fmt(' (%s)', c.error) : '')),
		row(_('Registration'), c.registration),
		row(_('Roaming'), yesNo(c.roaming)),
		row(_('Technology'), c.technology_text || c.technology),
		row(_('Operator'), c.operator),
		row(_('Signal'), sig.rsrp_dbm != null ? fmt(_('RSRP %s dBm, RSRQ %s dB, SINR %s dB'),
			sig.rsrp_dbm, sig.rsrq_db, sig.sinr_db) :
			(sig.rssi_dbm != null ? fmt(_('RSSI %s dBm'), sig.rssi_dbm) : null)),
		row(_('Signal quality'), sig.signal_pct != null ? fmtPct(sig.signal_pct) : null),
		row(_('Band'), c.band)
	] };
}

function wifiGroup(w) {
	return { id: 'wifi', title: _('Wi-Fi radio'), rows: [
		row(_('State'), w.state + (w.error ? fmt(' (%s)', w.error) : '')),
		row(_('Associated'), yesNo(w.associated)),
		row(_('Network'), w.ssid),
		row(_('Signal'), w.signal_dbm != null ? fmt(_('%s dBm'), w.signal_dbm) : null),
		row(_('Channel'), w.channel),
		row(_('Bit rate'), w.tx_bitrate_mbps != null ? fmt(_('%s Mbit/s'), w.tx_bitrate_mbps) : null)
	] };
}

function usageGroup(u) {
	return { id: 'usage', title: _('Data usage'), rows: [
		row(_('This cycle'), fmtBytes(u.total_bytes)),
		row(_('Plan'), u.limit_bytes != null ? fmt(_('%s (%s used)'), fmtBytes(u.limit_bytes),
			fmtPct(u.used_pct)) : _('no cap')),
		row(_('Resets'), fmtTime(u.next_reset_ts, true)),
		row(_('Last resort'), yesNo(u.last_resort))
	] };
}

/* members → one block per member, with groups of label/value rows. */
function memberDetails(members) {
	return (members || []).map((m) => {
		const groups = [ linkGroup(m), probeGroup(m) ];
		if (isObject(m.starlink))
			groups.push(starlinkGroup(m.starlink));
		if (isObject(m.cellular))
			groups.push(cellularGroup(m.cellular));
		if (isObject(m.wifi))
			groups.push(wifiGroup(m.wifi));
		if (isObject(m.data_usage))
			groups.push(usageGroup(m.data_usage));
		groups.forEach((g) => {
			g.rows = g.rows.filter((r) => r[1] != '–');
		});
		return Object.assign(memberRow(m), { groups: groups });
	});
}

/* ---- decisions and events ---------------------------------------------------- */

const DECISION_LABEL = {
	'switch': _('switch'), hold: _('hold'), restore: _('fail-back'), manual: _('manual'),
	test: _('test')
};

function scoreList(scores) {
	return Object.keys(scores || {}).map((k) => ({ name: k,
		score: scores[k] == null ? '–' : String(scores[k]) }));
}

function decisionRows(decisions) {
	return (decisions || []).map((d) => ({
		ts: d.time_ts,
		time: fmtTime(d.time_ts, true),
		type: d.type,
		typeLabel: DECISION_LABEL[d.type] || d.type,
		from: d.from || '–',
		to: d.to || '–',
		move: moveText(d.from, d.to),
		reason: d.reason || '',
		scores: scoreList(d.scores)
	}));
}

function eventRows(events) {
	return (events || []).slice().reverse().map((e) => ({
		ts: e.ts,
		time: fmtTime(e.ts, true),
		kind: e.event,
		member: e.member || '',
		text: e.text || ''
	}));
}

const SEVERITY_LABEL = {
	info: _('info'), notice: _('notice'), warning: _('warning'), critical: _('critical'),
	emergency: _('emergency')
};

/* The history store's notifications (events at warning and above):
 * {count, by_severity, notifications: [{time_ts, severity, event, member, text}]}. */
function alertRows(reply) {
	const list = isObject(reply) && Array.isArray(reply.notifications) ? reply.notifications : [];
	return list.map((a) => ({
		ts: a.time_ts,
		time: fmtTime(a.time_ts, true),
		severity: a.severity || 'info',
		severityLabel: SEVERITY_LABEL[a.severity] || a.severity || _('info'),
		event: a.event || '',
		member: a.member || '',
		text: a.text || ''
	}));
}

/* ---- results of actions ------------------------------------------------------ */

function failoverResult(reply) {
	if (!isObject(reply))
		return { ok: false, text: _('No answer') };
	if ('probes' in reply)
		return {
			ok: !!reply.ok,
			text: fmt(reply.ok ? _('Test of %s passed: %d of %d probes answered through it (%s); traffic is back on %s.')
				: _('Test of %s failed: %d of %d probes answered through it; traffic is back on %s.'),
			reply.interface, reply.replies, reply.probes,
			reply.ok ? fmtMs(reply.rtt_ms) : reply.back_to || '–', reply.back_to || '–')
		};
	const d = reply.decision || (reply.switched_to && reply.switched_to.decision) || {};
	return {
		ok: true,
		text: reply.active ? fmt(reply.pinned ? _('Traffic is pinned to %s.') :
			_('Traffic moved to %s.'), reply.active) + (d.reason ? ' ' + d.reason : '')
			: _('Done.')
	};
}

function dishActionResult(reply) {
	return { ok: !!(reply && reply.accepted),
		text: fmt(_('The dish accepted “%s”; traffic is on %s.'), reply.action,
			reply.active_member || '–') };
}

/* config_validate's reply, or the error it throws (the errors are its details). */
function validation(replyOrError) {
	const r = replyOrError || {};
	if (r instanceof Error) {
		const items = Array.isArray(r.details) ? r.details : [];
		return {
			valid: false,
			errors: items.filter((d) => d.severity != 'warning').map(diagRow),
			warnings: items.filter((d) => d.severity == 'warning').map(diagRow),
			message: r.message
		};
	}
	return { valid: !!r.valid, errors: [], warnings: (r.warnings || []).map(diagRow),
		message: r.valid ? fmt(_('The configuration is valid (%d members).'), r.members) : '' };
}

function diagRow(d) {
	return { line: d.line || 0, message: String(d.message || '').replace(/^<text>:(\d+:)? ?/, '') };
}

/* A ubus list of `autonomy` ({autonomy: {method: {arg: type}}}) has method. */
function hasMethod(list, method) {
	return !!(isObject(list) && isObject(list.autonomy) && isObject(list.autonomy[method]));
}

/* Whether the daemon checks inline text (config_validate's "text"): the
 * signatures of a ubus list of `autonomy` ({autonomy: {method: {arg: type}}}).
 * An older daemon would check its own file instead and say nothing of the
 * staged changes. */
function canValidateText(list) {
	return hasMethod(list, 'config_validate') && 'text' in list.autonomy.config_validate;
}

/* ---- UCI text ------------------------------------------------------------------ */

function uciQuote(v) {
	return '\'' + String(v).replace(/'/g, '\'\\\'\'') + '\'';
}

/* LuCI's uci.sections('autonomy') (every section with its options, pending
 * changes included) as the text of /etc/config/autonomy, so the daemon can
 * check what would be applied before it is. */
function uciText(sections) {
	const out = [];
	(sections || []).forEach((s) => {
		out.push(s['.anonymous'] ? fmt('config %s', s['.type'])
			: fmt('config %s %s', s['.type'], uciQuote(s['.name'])));
		Object.keys(s).forEach((k) => {
			if (k.charAt(0) == '.')
				return;
			if (Array.isArray(s[k]))
				s[k].forEach((v) => out.push(fmt('\tlist %s %s', k, uciQuote(v))));
			else
				out.push(fmt('\toption %s %s', k, uciQuote(s[k])));
		});
		out.push('');
	});
	return out.join('\n');
}

return baseclass.extend({
	ACTIONS: ACTIONS,
	AutonomyError: AutonomyError,

	callStatus: callStatus,
	callMembers: callMembers,
	callMonitor: callMonitor,
	callHealth: callHealth,
	callDecisions: callDecisions,
	callConfigShow: callConfigShow,
	callConfigValidate: callConfigValidate,
	callFailover: callFailover,
	callReload: callReload,
	callStarlink: callStarlink,
	callCellular: callCellular,
	callWifi: callWifi,
	callDishAction: callDishAction,
	callSessionAccess: callSessionAccess,
	callNotifications: callNotifications,
	OPTIONAL_METHODS: OPTIONAL_METHODS,

	unwrap: unwrap,
	permissions: permissions,
	overview: overview,
	memberRow: memberRow,
	memberDetails: memberDetails,
	decisionRows: decisionRows,
	eventRows: eventRows,
	alertRows: alertRows,
	hasMethod: hasMethod,
	failoverResult: failoverResult,
	dishActionResult: dishActionResult,
	validation: validation,
	canValidateText: canValidateText,
	uciText: uciText,

	fmt: fmt,
	fmtMs: fmtMs,
	fmtPct: fmtPct,
	fmtBytes: fmtBytes,
	fmtRate: fmtRate,
	fmtDuration: fmtDuration,
	fmtAgo: fmtAgo,
	fmtTime: fmtTime,
	esc: esc,
	num: num
});
