'use strict';
'require view';
'require poll';
'require dom';
'require autonomy.data as data';
'require autonomy.charts as charts';
'require autonomy.widgets as widgets';

/*
 * Uplinks in detail: per member its link, its measurements (loss, latency,
 * jitter) and what each probe target answered, and what its hardware
 * reports: the dish (obstruction, alerts, updates), the modem (signal,
 * registration), the Wi-Fi radio (signal) and the data plan.
 */

const POLL_S = 5;

return view.extend({
	load: function() {
		return Promise.all([ data.callMembers().catch((e) => e), widgets.permissions() ]);
	},

	render: function(res) {
		this.may = res[1];
		this.history = new charts.History(3600000);
		this.node = E('div');
		if (res[0] instanceof Error)
			dom.content(this.node, widgets.stateError(res[0]));
		else
			this.update(res[0]);
		poll.add(L.bind(this.refresh, this), POLL_S);
		return E([], [
			widgets.styles(),
			E('h2', {}, _('Uplinks')),
			E('div', { 'class': 'cbi-map-descr' },
				_('Each uplink as autonomy measures it through itself, and what its hardware reports.')),
			this.node
		]);
	},

	refresh: function() {
		return data.callMembers().then(L.bind(this.update, this)).catch((e) =>
			dom.content(this.node, widgets.stateError(e)));
	},

	update: function(members) {
		this.history.add(members);
		dom.content(this.node, data.memberDetails(members).map(L.bind(this.renderMember, this)));
	},

	renderMember: function(m) {
		return E('div', { 'class': 'cbi-section', 'data-member': m.name }, [
			E('h3', {}, [ m.name, ' ', widgets.badge(m.state, m.stateLabel), ' ',
				E('small', {}, data.fmt(_('%s · score %s%s'), m.classLabel, m.scoreText,
					m.active ? _(' · carries traffic') : '')) ]),
			widgets.chart(charts.sparkline(this.history.points(m.name, 'latency'), { min: 0,
				span: this.history.window(), label: _('latency over time') })),
			E('div', { 'class': 'cbi-section-node' }, m.groups.map((g) => [
				E('h4', {}, g.title),
				E('table', { 'class': 'table' }, g.rows.map((r) => E('tr', { 'class': 'tr' }, [
					E('td', { 'class': 'td left', 'width': '33%' }, r[0]), E('td', { 'class': 'td left' }, r[1])
				]))),
				g.targets ? this.renderTargets(g.targets) : ''
			])),
			widgets.memberActions(m, this.may, L.bind(this.refresh, this))
		]);
	},

	renderTargets: function(targets) {
		return E('table', { 'class': 'table' }, [
			E('tr', { 'class': 'tr table-titles' }, [ _('Probe target'), _('Last answer'), _('Round trip'),
				_('Loss'), _('Sent') ].map((t) => E('th', { 'class': 'th' }, t)))
		].concat(targets.map((t) => E('tr', { 'class': 'tr' }, [
			E('td', { 'class': 'td' }, E('code', {}, t.target)),
			E('td', { 'class': 'td' }, [ t.ok === false ? widgets.badge('down', t.last) : t.last,
				t.error ? E('div', {}, E('small', {}, t.error)) : '' ]),
			E('td', { 'class': 'td' }, t.rtt),
			E('td', { 'class': 'td' }, t.lossPct),
			E('td', { 'class': 'td' }, t.sent)
		]))));
	},

	handleSave: null,
	handleSaveApply: null,
	handleReset: null
});
