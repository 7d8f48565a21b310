'use strict';
'require baseclass';
'require ui';
'require autonomy.data as data';

/*
 * LuCI-only pieces the autonomy views share: state badges, inline SVG
 * charts, the member actions (failover once / pinned / test, the dish's
 * reboot, stow and unstow behind a confirmation) offered only when the
 * session's ACL allows their ubus method, and the app's few styles.
 */

const CSS = [
	'.autonomy-badge{display:inline-block;padding:.1em .6em;border-radius:1em;font-size:.85em;',
	'font-weight:600;background:rgba(128,128,128,.18)}',
	'.autonomy-badge.up{background:rgba(22,163,74,.16);color:#16a34a}',
	'.autonomy-badge.degraded{background:rgba(217,119,6,.16);color:#b45309}',
	'.autonomy-badge.down{background:rgba(220,38,38,.16);color:#dc2626}',
	'.autonomy-chart svg{width:100%;max-width:240px;height:36px;display:block}',
	'.autonomy-chart.wide svg{max-width:none;height:16px}',
	'.autonomy-chart .line{stroke:#2563eb;stroke-width:2;vector-effect:non-scaling-stroke}',
	'.autonomy-chart .band{fill:rgba(22,163,74,.08)}',
	'.autonomy-chart .area{fill:rgba(37,99,235,.14)}',
	'.autonomy-actions{display:flex;flex-wrap:wrap;gap:.3em}',
	'.autonomy-why{margin:0;padding-left:1.1em;font-size:.9em}',
	'.autonomy-active td:first-child{font-weight:700}',
	'.autonomy-validation li{margin:.2em 0}'
].join('');

function styles() {
	return E('style', {}, CSS);
}

function badge(state, label) {
	return E('span', { 'class': 'autonomy-badge ' + state }, label);
}

/* SVG markup from data.js (built and escaped there) inside a div. */
function chart(svg, wide) {
	const div = E('div', { 'class': 'autonomy-chart' + (wide ? ' wide' : '') });
	div.innerHTML = svg;
	return div;
}

/* The daemon did not answer (not running, or the call refused). */
function stateError(e) {
	return E('div', { 'class': 'alert-message warning' },
		data.fmt(_('Could not read the daemon\'s state: %s'), e.message));
}

function notify(ok, text) {
	ui.addNotification(null, E('p', {}, text), ok ? 'info' : 'danger');
}

function run(promise, describe) {
	return promise.then((r) => notify(true, describe(r)), (e) => notify(false, e.message));
}

const DISH = {
	reboot: [ _('Reboot the dish'), _('The dish behind %s restarts and is offline for a minute or two. Traffic moves to another uplink first when one is healthy.'), _('Reboot dish') ],
	stow: [ _('Stow the dish'), _('The dish behind %s folds flat and stops serving until it is unstowed. Traffic moves to another uplink first when one is healthy.'), _('Stow dish') ],
	unstow: [ _('Unstow the dish'), _('The dish behind %s unfolds and looks for satellites again.'), _('Unstow dish') ]
};

function confirmDish(member, action, done) {
	const t = DISH[action];
	ui.showModal(t[0], [
		E('p', {}, data.fmt(t[1], member)),
		E('div', { 'class': 'right' }, [
			E('button', { 'class': 'btn', 'click': ui.hideModal }, _('Cancel')),
			' ',
			E('button', { 'class': 'btn cbi-button-negative', 'click': () => {
				ui.hideModal();
				return run(data.callDishAction[action](member, true),
					(r) => data.dishActionResult(r).text).then(done);
			} }, t[2])
		])
	]);
}

/* The buttons for one member row (data.memberRow), given what the session
 * may call (data.permissions); done() runs after each action. */
function memberActions(m, may, done) {
	const out = [], fo = (label, mode, cls) => E('button', {
		'class': 'btn cbi-button ' + (cls || 'cbi-button-action'),
		'click': ui.createHandlerFn(null, () => run(
			data.callFailover(m.name, mode == 'force' || undefined, mode == 'test' || undefined),
			(r) => {
				const res = data.failoverResult(r);
				if (!res.ok)
					throw new Error(res.text);
				return res.text;
			}).then(done))
	}, label);
	if (may.failover) {
		if (!m.active)
			out.push(fo(_('Use now'), 'once'));
		out.push(fo(_('Pin'), 'force', 'cbi-button-neutral'));
		if (!m.active)
			out.push(fo(_('Test'), 'test', 'cbi-button-neutral'));
	}
	if (m.isDish)
		[ 'reboot', m.dishStowed ? 'unstow' : 'stow' ].forEach((a) => {
			if (may['starlink_' + a])
				out.push(E('button', { 'class': 'btn cbi-button cbi-button-negative',
					'click': () => confirmDish(m.name, a, done) }, DISH[a][2]));
		});
	return E('div', { 'class': 'autonomy-actions' }, out);
}

/* What the session may call: rpcd's session.access without an object
 * returns the whole ACL dump. */
function permissions() {
	return L.resolveDefault(data.callSessionAccess(), {}).then(data.permissions);
}

return baseclass.extend({
	styles: styles,
	badge: badge,
	chart: chart,
	stateError: stateError,
	notify: notify,
	run: run,
	memberActions: memberActions,
	permissions: permissions
});
