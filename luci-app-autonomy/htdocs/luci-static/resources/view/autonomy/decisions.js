'use strict';
'require view';
'require poll';
'require dom';
'require rpc';
'require autonomy.data as data';
'require autonomy.widgets as widgets';

/*
 * Decisions: every switch, hold, fail-back and manual move with its reason
 * and the members' scores at that moment, newest first, the daemon's recent
 * events (link changes, tests, reloads, the dish's actions), and the alerts
 * of the last day where the daemon keeps a history (`notifications`).
 */

const POLL_S = 5;
const LIMIT = 100;

return view.extend({
	load: function() {
		return L.resolveDefault(rpc.list('autonomy'), {}).then((list) => {
			this.alerts = data.hasMethod(list, 'notifications');
			return this.fetch().catch((e) => e);
		});
	},

	fetch: function() {
		return Promise.all([ data.callDecisions(LIMIT), data.callMonitor(),
			this.alerts ? data.callNotifications(LIMIT) : null ]);
	},

	render: function(res) {
		this.node = E('div');
		if (res instanceof Error)
			dom.content(this.node, widgets.stateError(res));
		else
			this.update(res);
		poll.add(L.bind(this.refresh, this), POLL_S);
		return E([], [
			widgets.styles(),
			E('h2', {}, _('Decisions')),
			E('div', { 'class': 'cbi-map-descr' },
				_('Why traffic moved (or stayed), with every uplink\'s score at the time.')),
			this.node
		]);
	},

	refresh: function() {
		return this.fetch()
			.then(L.bind(this.update, this))
			.catch((e) => dom.content(this.node, widgets.stateError(e)));
	},

	update: function(res) {
		const rows = data.decisionRows(res[0]), events = data.eventRows(res[1].events);
		const alerts = res[2] ? data.alertRows(res[2]) : null;
		dom.content(this.node, [
			alerts ? E('div', { 'class': 'cbi-section' }, [
				E('h3', {}, _('Alerts of the last 24 hours')),
				alerts.length ? E('table', { 'class': 'table', 'id': 'autonomy-alerts' }, alerts.map((a) =>
					E('tr', { 'class': 'tr' }, [
						E('td', { 'class': 'td', 'width': '20%' }, a.time),
						E('td', { 'class': 'td', 'width': '12%' }, widgets.badge(
							a.severity == 'warning' ? 'degraded' : 'down', a.severityLabel)),
						E('td', { 'class': 'td' }, a.member ? data.fmt('%s: %s', a.member, a.text) : a.text)
					]))) : E('p', {}, E('em', {}, _('None.')))
			]) : '',
			E('div', { 'class': 'cbi-section' }, [
				E('h3', {}, _('Timeline')),
				E('table', { 'class': 'table', 'id': 'autonomy-decisions' }, [
					E('tr', { 'class': 'tr table-titles' }, [ _('Time'), _('Kind'), _('Move'), _('Reason'),
						_('Scores') ].map((t) => E('th', { 'class': 'th' }, t)))
				].concat(rows.length ? rows.map((r) => E('tr', { 'class': 'tr' }, [
					E('td', { 'class': 'td', 'data-title': _('Time') }, r.time),
					E('td', { 'class': 'td', 'data-title': _('Kind') }, widgets.badge(r.type, r.typeLabel)),
					E('td', { 'class': 'td', 'data-title': _('Move') }, r.move),
					E('td', { 'class': 'td', 'data-title': _('Reason') }, r.reason),
					E('td', { 'class': 'td', 'data-title': _('Scores') }, r.scores.map((s) =>
						data.fmt('%s %s', s.name, s.score)).join(' · '))
				])) : [ E('tr', { 'class': 'tr placeholder' }, E('td', { 'class': 'td' },
					E('em', {}, _('No decisions yet.')))) ]))
			]),
			E('div', { 'class': 'cbi-section' }, [
				E('h3', {}, _('Recent events')),
				E('table', { 'class': 'table' }, events.map((e) => E('tr', { 'class': 'tr' }, [
					E('td', { 'class': 'td', 'width': '20%' }, e.time),
					E('td', { 'class': 'td', 'width': '15%' }, e.kind),
					E('td', { 'class': 'td' }, e.text)
				])))
			])
		]);
	},

	handleSave: null,
	handleSaveApply: null,
	handleReset: null
});
