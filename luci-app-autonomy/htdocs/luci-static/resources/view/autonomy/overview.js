'use strict';
'require view';
'require poll';
'require dom';
'require ui';
'require autonomy.data as data';
'require autonomy.charts as charts';
'require autonomy.widgets as widgets';

/*
 * Overview: which uplink carries traffic and why, whether an operator pinned
 * it, the last switch, and every uplink with its state, score and the
 * reasons for it, followed live (poll.add). Actions only for sessions whose
 * ACL grants their ubus method.
 */

const POLL_S = 2;

return view.extend({
	/* A daemon that does not answer is shown, not a failed page: polling
	 * goes on and fills the page when it answers. */
	load: function() {
		return Promise.all([ widgets.permissions(),
			Promise.all([ data.callStatus(), data.callMembers() ]).catch((e) => e) ]);
	},

	render: function(res) {
		this.may = res[0];
		this.history = new charts.History(3600000);
		this.nowNode = E('div', { 'class': 'cbi-section' });
		this.membersNode = E('div', { 'class': 'cbi-section' });
		this.errorNode = E('div');
		if (res[1] instanceof Error)
			this.showError(res[1]);
		else
			this.update(res[1][0], res[1][1]);
		poll.add(L.bind(this.refresh, this), POLL_S);
		return E([], [
			widgets.styles(),
			E('h2', {}, _('Uplink failover')),
			E('div', { 'class': 'cbi-map-descr' },
				_('Which uplink carries the router\'s traffic, how healthy each one is, and why.')),
			this.errorNode, this.nowNode, this.membersNode
		]);
	},

	refresh: function() {
		return Promise.all([ data.callStatus(), data.callMembers() ])
			.then((r) => this.update(r[0], r[1]))
			.catch(L.bind(this.showError, this));
	},

	showError: function(e) {
		dom.content(this.errorNode, widgets.stateError(e));
	},

	update: function(status, members) {
		const ov = data.overview(status, members);
		this.history.add(members);
		dom.content(this.errorNode, ov.backendRefused ? E('div', { 'class': 'alert-message warning' },
			data.fmt(_('Observing only: %s'), ov.backendRefused)) : '');
		dom.content(this.nowNode, this.renderNow(ov));
		dom.content(this.membersNode, this.renderMembers(ov));
	},

	renderNow: function(ov) {
		const done = L.bind(this.refresh, this), rows = [
			[ _('Traffic via'), E('strong', { 'id': 'autonomy-active' }, ov.active || _('nothing')) ],
			[ _('Selection'), ov.selection ],
			[ _('Last switch'), ov.lastSwitch ? data.fmt('%s: %s (%s)', ov.lastSwitch.time,
				ov.lastSwitch.text, ov.lastSwitch.reason) : _('none since the daemon started') ],
			[ _('Routing'), ov.observeOnly ? _('observing only (no routes are changed)') :
				data.fmt(_('%s backend'), ov.backend || '–') ],
			[ _('Daemon'), data.fmt(_('version %s, up %s'), ov.version || '–', ov.uptime) ]
		];
		const buttons = [];
		if (ov.pinned && this.may.failover)
			buttons.push(E('button', { 'class': 'btn cbi-button cbi-button-apply',
				'click': ui.createHandlerFn(this, () => widgets.run(
					data.callFailover(undefined, undefined, undefined, true),
					() => _('Automatic selection again.')).then(done)) },
			_('Back to automatic')));
		if (this.may.reload)
			buttons.push(E('button', { 'class': 'btn cbi-button cbi-button-reload',
				'click': ui.createHandlerFn(this, () => widgets.run(data.callReload(),
					(r) => data.fmt(_('Configuration reloaded: %d members.'), r.members)).then(done)) },
			_('Reload configuration')));
		return [
			E('h3', {}, _('Now')),
			E('table', { 'class': 'table' }, rows.map((r) => E('tr', { 'class': 'tr' }, [
				E('td', { 'class': 'td left', 'width': '25%' }, r[0]), E('td', { 'class': 'td left' }, r[1])
			]))),
			widgets.chart(charts.activeBand(this.history.activeSeries, charts.memberColour,
				{ span: this.history.window(), width: 600, height: 16,
					label: _('active uplink over time') }),
			true),
			buttons.length ? E('div', { 'class': 'autonomy-actions' }, buttons) : ''
		];
	},

	/* The score's penalties and what the link's hardware says, or that all is well. */
	why: function(m) {
		if (!m.why.length)
			return m.reason == 'ok' ? _('no problems seen') : m.reason;
		return E('ul', { 'class': 'autonomy-why' }, m.why.map((t) => E('li', {}, t)));
	},

	renderMembers: function(ov) {
		const done = L.bind(this.refresh, this);
		const head = E('tr', { 'class': 'tr table-titles' }, [
			_('Uplink'), _('State'), _('Score'), _('Why'), _('Latency'), _('Loss'), _('Recently'), ''
		].map((t) => E('th', { 'class': 'th' }, t)));
		const rows = ov.members.map((m) => E('tr', { 'class': 'tr' + (m.active ? ' autonomy-active' : ''),
			'data-member': m.name }, [
			E('td', { 'class': 'td', 'data-title': _('Uplink') }, [ m.name, E('br'),
				E('small', {}, data.fmt('%s · %s', m.classLabel, m.iface || m.device)) ]),
			E('td', { 'class': 'td', 'data-title': _('State') }, [ widgets.badge(m.state, m.stateLabel),
				m.active ? E('div', {}, E('small', {}, _('carries traffic'))) : '' ]),
			E('td', { 'class': 'td', 'data-title': _('Score') }, E('strong', {}, m.scoreText)),
			E('td', { 'class': 'td', 'data-title': _('Why') }, this.why(m)),
			E('td', { 'class': 'td', 'data-title': _('Latency') }, m.latency),
			E('td', { 'class': 'td', 'data-title': _('Loss') }, m.loss),
			E('td', { 'class': 'td', 'data-title': _('Recently') }, widgets.chart(charts.sparkline(
				this.history.points(m.name, 'score'), { min: 0, max: 100,
					span: this.history.window(), label: _('health score over time') }))),
			E('td', { 'class': 'td' }, widgets.memberActions(m, this.may, done))
		]));
		return [ E('h3', {}, _('Uplinks')), E('table', { 'class': 'table' }, [ head ].concat(rows)) ];
	},

	handleSave: null,
	handleSaveApply: null,
	handleReset: null
});
