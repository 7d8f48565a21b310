'use strict';
'require baseclass';
'require autonomy.data as data';

/*
 * LuCI's status overview: one line on autonomy — which uplink carries
 * traffic, how many are up, whether an operator pinned it.
 */

return baseclass.extend({
	title: _('Uplink failover'),

	load: function() {
		return Promise.all([ data.callStatus(), data.callMembers() ]).catch((e) => e);
	},

	render: function(res) {
		if (res instanceof Error)
			return E('p', {}, data.fmt(_('autonomy is not answering: %s'), res.message));
		const ov = data.overview(res[0], res[1]);
		return E('p', { 'id': 'autonomy-summary' }, [
			E('a', { 'href': L.url('admin/services/autonomy/overview') }, ov.summary)
		]);
	}
});
