'use strict';
'require baseclass';
'require autonomy.data as data';

/*
 * The charts of autonomy's pages, as inline SVG markup (no chart library, no
 * canvas): a member's score or latency over time and which member carried
 * traffic, from the samples the page has polled (History).
 */

const fmt = data.fmt, esc = data.esc, num = data.num;

/* Samples of each member's score and latency as the page polls them (the
 * daemon keeps no history of its own until the history store exists), kept
 * for `span` ms. */
const History = baseclass.extend({
	__init__: function(span) {
		this.span = span || 3600000;
		this.series = {};
		this.activeSeries = [];
	},

	add: function(members, now) {
		now = now || Date.now();
		(members || []).forEach((m) => {
			const s = this.series[m.name] = this.series[m.name] || [];
			s.push({ t: now, score: num(m.health_score), latency: num(m.latency_ms),
				loss: num(m.loss_pct), state: m.state });
		});
		const active = (members || []).filter((m) => m.active)[0];
		this.activeSeries.push({ t: now, name: active ? active.name : null });
		this.prune(now);
	},

	prune: function(now) {
		const cut = now - this.span;
		Object.keys(this.series).forEach((k) => {
			const s = this.series[k];
			while (s.length && s[0].t < cut)
				s.shift();
		});
		while (this.activeSeries.length && this.activeSeries[0].t < cut)
			this.activeSeries.shift();
	},

	points: function(name, key) {
		return (this.series[name] || []).map((p) => [ p.t, p[key] ]);
	},

	/* The time the charts show: what has been seen, at least a minute, at
	 * most the span kept, so a page opened a minute ago draws a real line. */
	window: function(now) {
		const first = this.activeSeries.length ? this.activeSeries[0].t : null;
		now = now || (this.activeSeries.length ? this.activeSeries[this.activeSeries.length - 1].t
			: Date.now());
		return Math.min(this.span, Math.max(60000, first == null ? 0 : now - first));
	},

	/* "the last 3 min" / "the last hour", for the charts' labels */
	windowLabel: function() {
		const w = this.window();
		return w >= 3600000 ? _('the last hour') :
			fmt(_('the last %d min'), Math.max(1, Math.round(w / 60000)));
	}
});

/* An inline SVG line chart of [t, value] points (null = a gap), scaled to
 * [min, max] (max: the data's own when not given). */
function sparkline(points, opts) {
	opts = opts || {};
	const w = opts.width || 240, h = opts.height || 48, pad = 2;
	const vals = points.map((p) => p[1]).filter((v) => v != null);
	const min = opts.min != null ? opts.min : Math.min.apply(null, vals.concat([ 0 ]));
	let max = opts.max != null ? opts.max : Math.max.apply(null, vals.concat([ 1 ]));
	if (max <= min)
		max = min + 1;
	const t0 = points.length ? points[0][0] : 0;
	const t1 = points.length ? points[points.length - 1][0] : 1;
	const span = opts.span || Math.max(1, t1 - t0), start = opts.span ? t1 - opts.span : t0;
	const x = (t) => (pad + (w - 2 * pad) * (t - start) / span).toFixed(1);
	const y = (v) => (h - pad - (h - 2 * pad) * (Math.min(max, Math.max(min, v)) - min) /
		(max - min)).toFixed(1);
	/* the line, and the area under it, one run per stretch without gaps */
	let d = '', area = '', run = [];
	const flush = () => {
		if (run.length)
			area += 'M' + run[0][0] + ' ' + (h - pad) + 'L' + run.map((q) => q.join(' ')).join('L') +
				'L' + run[run.length - 1][0] + ' ' + (h - pad) + 'Z';
		run = [];
	};
	points.forEach((p) => {
		if (p[1] == null)
			return flush();
		const q = [ x(p[0]), y(p[1]) ];
		d += (run.length ? 'L' : 'M') + q.join(' ');
		run.push(q);
	});
	flush();
	const last = vals.length ? vals[vals.length - 1] : null;
	return '<svg xmlns="http://www.w3.org/2000/svg" class="' + esc(opts.cls || 'spark') +
		'" viewBox="0 0 ' + w + ' ' + h + '" width="' + w + '" height="' + h +
		'" preserveAspectRatio="none" role="img" aria-label="' + esc(opts.label || '') + '">' +
		'<title>' + esc(opts.label || '') + (last != null ? ': ' + esc(last) : '') + '</title>' +
		(opts.band != null ? '<rect class="band" x="0" y="' + y(opts.band) + '" width="' + w +
			'" height="' + (h - pad - y(opts.band)) + '"/>' : '') +
		(area ? '<path class="area" d="' + area + '"/>' : '') +
		(d ? '<path class="line" fill="none" d="' + d + '"/>' : '') +
		'</svg>';
}

/* Which member carried traffic over time: one coloured band per stretch. */
function activeBand(samples, colours, opts) {
	opts = opts || {};
	const w = opts.width || 600, h = opts.height || 14;
	if (!samples.length)
		return '<svg xmlns="http://www.w3.org/2000/svg" class="band" viewBox="0 0 ' + w + ' ' +
			h + '" width="' + w + '" height="' + h + '"></svg>';
	const t1 = samples[samples.length - 1].t, span = opts.span || Math.max(1, t1 - samples[0].t);
	const x = (t) => Math.max(0, w * (t - (t1 - span)) / span);
	let out = '';
	for (let i = 0; i < samples.length; i++) {
		const s = samples[i], next = samples[i + 1];
		const x0 = x(s.t), x1 = next ? x(next.t) : w;
		if (x1 <= x0)
			continue;
		out += '<rect x="' + x0.toFixed(1) + '" y="0" width="' + (x1 - x0).toFixed(1) +
			'" height="' + h + '" fill="' + esc(s.name ? colours(s.name) : 'transparent') +
			'"><title>' + esc(s.name || _('none')) + '</title></rect>';
	}
	return '<svg xmlns="http://www.w3.org/2000/svg" class="band" viewBox="0 0 ' + w + ' ' + h +
		'" width="' + w + '" height="' + h + '" preserveAspectRatio="none" role="img" aria-label="' +
		esc(opts.label || '') + '">' + out + '</svg>';
}

/* A stable colour per member name (the same on every page and reload). */
const PALETTE = [ '#2f7ed8', '#8a56c2', '#e08a1e', '#2aa198', '#c2407a', '#6b8e23' ];
function memberColour(name) {
	let h = 0;
	for (let i = 0; i < String(name).length; i++)
		h = (h * 31 + String(name).charCodeAt(i)) >>> 0;
	return PALETTE[h % PALETTE.length];
}

return baseclass.extend({
	History: History,
	sparkline: sparkline,
	activeBand: activeBand,
	memberColour: memberColour
});
