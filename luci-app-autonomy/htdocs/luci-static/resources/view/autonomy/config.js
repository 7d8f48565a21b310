'use strict';
'require view';
'require form';
'require uci';
'require ui';
'require dom';
'require rpc';
'require autonomy.data as data';
'require autonomy.schema as schema';
'require autonomy.validate as validate';
'require autonomy.widgets as widgets';

/*
 * Configuration: a form for every section of /etc/config/autonomy, built
 * from the daemon's schema tables (autonomy/schema.js is generated from
 * src/config/schema.c), each field checked as the daemon checks that option.
 * Before Save & Apply the daemon itself checks the whole configuration as it
 * would be applied (config_validate with the staged text); a configuration
 * it would refuse is not applied. Secrets are write-only here.
 */

const SECTION_TITLE = {
	main: _('Daemon'),
	alerts: _('Alerts'),
	email: _('Email'),
	slack: _('Slack'),
	pagerduty: _('PagerDuty'),
	webhook: _('Webhook'),
	ntfy: _('ntfy'),
	pushover: _('Pushover'),
	performance: _('Performance'),
	polling: _('Polling'),
	starlink: _('Starlink dish'),
	cellular: _('Cellular modem'),
	wifi: _('Wi-Fi client'),
	bandwidth: _('Data and bandwidth'),
	qos: _('Traffic priorities'),
	security: _('API security'),
	network_security: _('Network security'),
	gps: _('Position'),
	starwatch: _('Watchdog (starwatch)'),
	prometheus: _('Prometheus metrics'),
	snmp: _('SNMP'),
	mqtt: _('MQTT telemetry')
};

/* Member options shown as table columns; the others are in the edit dialog. */
const MEMBER_COLUMNS = [ 'interface', 'device', 'class', 'priority', 'metered', 'enabled' ];

function describe(def) {
	/* the help texts are in the .pot from the schema (gen_pot.py) */
	// eslint-disable-next-line luci/translatable-literal
	let text = _(def.help);
	if (def.def != null && def.def !== '' && def.type != 'bool')
		text += ' ' + data.fmt(_('(default: %s)'), def.def);
	/* as `autonomyctl config validate` warns: no silent knobs */
	if (def.planned)
		text += ' ' + _('Accepted, no effect yet (not implemented in this version).');
	return text;
}

/* One form option from one schema row. */
function addOption(s, def, grid) {
	let o;
	if (def.type == 'bool') {
		o = s.option(form.Flag, def.name, def.name, describe(def));
		o.default = def.def == '1' ? o.enabled : o.disabled;
		o.rmempty = false;
	}
	else if (def.type == 'enum') {
		o = s.option(form.ListValue, def.name, def.name, describe(def));
		o.value('', def.def ? data.fmt(_('default (%s)'), def.def) : _('not set'));
		def.enums.forEach((e) => o.value(e));
		o.rmempty = true;
	}
	else {
		o = s.option(def.list ? form.DynamicList : form.Value, def.name, def.name, describe(def));
		if (def.def)
			o.placeholder = def.def;
		o.validate = (sid, value) => validate.validateValue(def, value);
		if (def.type == 'secret')
			secretOption(o);
	}
	o.optional = !def.required;
	if (grid)
		o.modalonly = MEMBER_COLUMNS.indexOf(def.name) < 0;
	return o;
}

/* A secret is never put into the page: an empty field keeps the stored
 * value, a new one replaces it (to see one: `autonomyctl config reveal`). */
function secretOption(o) {
	o.password = true;
	o.cfgvalue = function(sid) {
		this.placeholder = uci.get('autonomy', sid, this.option) ?
			_('(set; type a new one to replace it)') : _('(not set)');
		return '';
	};
	o.write = function(sid, value) {
		if (value)
			uci.set('autonomy', sid, this.option, value);
	};
	o.remove = function() {};
}

return view.extend({
	load: function() {
		return Promise.all([
			uci.load('autonomy'),
			widgets.permissions(),
			L.resolveDefault(data.callConfigValidate().then(data.validation, data.validation), null),
			L.resolveDefault(rpc.list('autonomy'), {})
		]);
	},

	render: function(res) {
		this.may = res[1];
		this.canCheck = data.canValidateText(res[3]);
		const m = new form.Map('autonomy', _('Uplink failover: configuration'),
			_('Every setting of /etc/config/autonomy. Fields are checked as the daemon checks them; before the changes are applied, the daemon checks the whole configuration and nothing it would refuse is applied.'));

		const ms = m.section(form.GridSection, 'member', _('Uplinks'),
			// eslint-disable-next-line luci/translatable-literal
			_(schema.member.help));
		ms.addremove = true;
		ms.anonymous = false;
		ms.nodescriptions = true;
		schema.member.options.forEach((def) => addOption(ms, def, true));

		schema.sections.forEach((sec) => {
			const s = m.section(form.NamedSection, sec.name, 'autonomy',
				SECTION_TITLE[sec.name] || sec.name,
				// eslint-disable-next-line luci/translatable-literal
				_(sec.help));
			s.addremove = true;
			sec.options.forEach((def) => addOption(s, def, false));
		});

		this.map = m;
		this.validationNode = E('div', { 'id': 'autonomy-validation' });
		this.showValidation(res[2], _('The configuration in use'));
		return m.render().then((node) => E([], [ widgets.styles(), this.validationNode, node ]));
	},

	/* The daemon's verdict on the configuration as staged (saved, not applied). */
	checkStaged: function() {
		return uci.load('autonomy').then(() =>
			data.callConfigValidate(data.uciText(uci.sections('autonomy'))))
			.then(data.validation, data.validation);
	},

	showValidation: function(v, what) {
		if (!v)
			return dom.content(this.validationNode, '');
		const items = v.errors.map((d) => E('li', {}, data.fmt(_('line %d: %s'), d.line, d.message)))
			.concat(v.warnings.map((d) => E('li', {}, data.fmt(_('warning, line %d: %s'), d.line,
				d.message))));
		dom.content(this.validationNode, E('div', { 'class': 'alert-message ' +
			(v.valid ? (v.warnings.length ? 'warning' : 'success') : 'danger') }, [
			E('strong', {}, data.fmt('%s: %s', what, v.valid ? _('valid') : _('refused by the daemon'))),
			v.message ? E('p', {}, v.message) : '',
			items.length ? E('ul', { 'class': 'autonomy-validation' }, items) : ''
		]));
	},

	handleSaveApply: function(ev, mode) {
		if (!this.canCheck) {
			widgets.notify(false, _('This version of autonomy cannot check changes before they are applied; if it refuses them at reload, it keeps running on the previous configuration and says why in its health.'));
			return this.handleSave(ev).then(() => ui.changes.apply(mode == '0'));
		}
		return this.handleSave(ev).then(() => this.checkStaged()).then((v) => {
			this.showValidation(v, _('The changed configuration'));
			if (!v.valid) {
				widgets.notify(false, _('Not applied: the daemon would refuse this configuration (see the list at the top). Fix it, or revert the changes.'));
				return;
			}
			return ui.changes.apply(mode == '0');
		});
	}
});
