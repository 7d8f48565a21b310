'use strict';
'require baseclass';
'require autonomy.data as data';

/*
 * Field checks of the LuCI config page, mirroring the daemon's parsing of one
 * option value (src/config/cfg_value.c and, for probe targets,
 * src/probe/target.c): the same types, ranges, address and name rules.
 * Rules across options come from the daemon itself (config_validate) before
 * apply. tests/web checks these verdicts against the daemon's on a corpus
 * of good, bad and borderline values of every type.
 */

const fmt = data.fmt;

/* A space, a control character or (unless ascii8 allows bytes above 0x7f, as
 * an interface name may have them) anything beyond ASCII. */
function controlOrSpace(s, ascii8) {
	for (let i = 0; i < s.length; i++) {
		const c = s.charCodeAt(i);
		if (c <= 0x20 || c == 0x7f || (c > 0x7f && !ascii8))
			return true;
	}
	return false;
}

function pton4(s) {
	const out = [];
	let cur = -1;
	for (let i = 0; i < s.length; i++) {
		const c = s.charAt(i);
		if (c >= '0' && c <= '9') {
			if (cur == 0)
				return null;            /* no leading zeros */
			cur = (cur < 0 ? 0 : cur) * 10 + (c.charCodeAt(0) - 48);
			if (cur > 255)
				return null;
		}
		else if (c == '.' && cur >= 0 && out.length < 3) {
			out.push(cur);
			cur = -1;
		}
		else {
			return null;
		}
	}
	if (cur < 0 || out.length != 3)
		return null;
	out.push(cur);
	return out;
}

/* glibc's inet_pton(AF_INET6): hex groups, one '::', an IPv4 tail. */
function pton6(s) {
	const bytes = [];
	let gap = -1, val = 0, digits = 0, i = 0, tok;
	if (!s.length)
		return null;
	if (s.charAt(0) == ':') {
		if (s.charAt(1) != ':')
			return null;
		i = 1;
	}
	tok = i;
	while (i < s.length) {
		const c = s.charAt(i++), d = parseInt(c, 16);
		if (/[0-9a-fA-F]/.test(c)) {
			if (digits == 4)
				return null;
			val = (val << 4) | d;
			digits++;
			continue;
		}
		if (c == ':') {
			tok = i;
			if (!digits) {
				if (gap >= 0)
					return null;
				gap = bytes.length;
				continue;
			}
			if (i == s.length || bytes.length + 2 > 16)
				return null;
			bytes.push(val >> 8, val & 255);
			val = digits = 0;
			continue;
		}
		if (c == '.' && bytes.length + 4 <= 16) {
			const v4 = pton4(s.substring(tok));
			if (!v4)
				return null;
			bytes.push.apply(bytes, v4);
			digits = 0;
			break;
		}
		return null;
	}
	if (digits) {
		if (bytes.length + 2 > 16)
			return null;
		bytes.push(val >> 8, val & 255);
	}
	if (gap >= 0) {
		if (bytes.length == 16)
			return null;
		const tail = bytes.splice(gap);
		while (bytes.length + tail.length < 16)
			bytes.push(0);
		bytes.push.apply(bytes, tail);
	}
	return bytes.length == 16 ? bytes : null;
}

function isIp(s) {
	return !!(pton4(s) || pton6(s));
}

function validHostname(s) {
	let len = s.length, label = 0, allDigits = true;
	if (len && s.charAt(len - 1) == '.')
		len--;
	if (len == 0 || len > 253)
		return false;
	for (let i = 0; i <= len; i++) {
		const c = i < len ? s.charAt(i) : '.';
		if (c == '.') {
			if (label == 0 || label > 63 || s.charAt(i - 1) == '-')
				return false;
			if (i < len)
				allDigits = true;
			label = 0;
			continue;
		}
		if (!/[A-Za-z0-9-]/.test(c) || (label == 0 && c == '-'))
			return false;
		allDigits = allDigits && /[0-9]/.test(c);
		label++;
	}
	return !allDigits;
}

function validHostport(s) {
	let host, port = null;
	if (s.charAt(0) == '[') {
		const rb = s.indexOf(']');
		if (rb < 0 || !pton6(s.substring(1, rb)))
			return false;
		const rest = s.substring(rb + 1);
		if (rest && rest.charAt(0) != ':')
			return false;
		if (rest)
			port = rest.substring(1);
	}
	else {
		const colon = s.indexOf(':');
		host = colon < 0 ? s : s.substring(0, colon);
		if (!host || host.length >= 256 || (!pton4(host) && !validHostname(host)))
			return false;
		if (colon >= 0)
			port = s.substring(colon + 1);
	}
	if (port != null) {
		if (!/^[0-9]{1,5}$/.test(port) || +port < 1 || +port > 65535)
			return false;
	}
	return true;
}

function validUrl(s) {
	if (controlOrSpace(s, false))
		return false;
	const m = /^(https?):\/\//i.exec(s);
	if (!m)
		return false;
	let auth = s.substring(m[0].length);
	auth = auth.substring(0, auth.search(/[/?#]|$/));
	const at = auth.lastIndexOf('@');
	if (at >= 0)
		auth = auth.substring(at + 1);
	return validHostport(auth);
}

function validEmail(s) {
	const at = s.indexOf('@');
	if (at < 0 || s.indexOf('@', at + 1) >= 0 || s.length > 254)
		return false;
	const local = s.substring(0, at);
	if (!local.length || local.length > 64 || local.charAt(0) == '.' ||
	    local.charAt(local.length - 1) == '.' || local.indexOf('..') >= 0 ||
	    !/^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]+$/.test(local))
		return false;
	return validHostname(s.substring(at + 1));
}

/* ---- probe targets (src/probe/target.c) ---- */

function addrUnusable(b) {
	if (b.length == 4) {
		if (b[0] == 0)
			return _('is an unspecified (0.0.0.0/8) address');
		if (b[0] == 127)
			return _('is a loopback address');
		if (b[0] >> 4 == 14)
			return _('is a multicast address');
		if (b.every((x) => x == 255))
			return _('is the broadcast address');
		if (b[0] >> 4 == 15)
			return _('is a reserved (240.0.0.0/4) address');
		return null;
	}
	const zero10 = b.slice(0, 10).every((x) => x == 0);
	if (b.every((x) => x == 0))
		return _('is the unspecified address');
	if (b.slice(0, 15).every((x) => x == 0) && b[15] == 1)
		return _('is a loopback address');
	if (b[0] == 255)
		return _('is a multicast address');
	if ((zero10 && b[10] == 255 && b[11] == 255) ||
	    (zero10 && b[10] == 0 && b[11] == 0 && (b[12] | b[13] | b[14] || b[15] > 1)))
		return _('is an IPv4-mapped address (write IPv4 as a.b.c.d)');
	return null;
}

function targetAddr(s) {
	if (!s.length)
		return _('has no address');
	if (s.indexOf('%') >= 0)
		return _('has a zone index: not needed, probes are bound to the member\'s device');
	if (s.length > 46)
		return _('has an address that is too long');
	const b = pton4(s) || pton6(s);
	if (!b)
		return _('is not a numeric IPv4 or IPv6 address');
	return addrUnusable(b) || b;
}

function targetPort(s) {
	if (!/^[1-9][0-9]{0,4}$/.test(s) || +s > 65535)
		return s.length ? fmt(_('has a bad port \'%s\' (1..65535)'), s) : _('has an empty port');
	return null;
}

/* "ADDR", "ADDR:PORT", "[ADDR6]" or "[ADDR6]:PORT"; null when fine. */
function targetHostport(s, portNeeded) {
	let r;
	if (s.charAt(0) == '[') {
		const close = s.indexOf(']');
		if (close < 0)
			return _('has \'[\' without \']\'');
		const rest = s.substring(close + 1);
		if (rest && rest.charAt(0) != ':')
			return _('has text after \']\' (expected \':PORT\')');
		if (rest && (r = targetPort(rest.substring(1))))
			return r;
		if (!rest && portNeeded)
			return _('needs a port');
		r = targetAddr(s.substring(1, close));
		if (typeof r == 'string')
			return r;
		return r.length == 4 ? _('has an IPv4 address in brackets') : null;
	}
	const colon = s.indexOf(':');
	if (colon >= 0 && s.indexOf(':', colon + 1) >= 0) {
		if (portNeeded)
			return _('needs a port, and an IPv6 address with a port needs brackets');
		r = targetAddr(s);
		return typeof r == 'string' ? r : null;
	}
	if (colon >= 0) {
		if ((r = targetPort(s.substring(colon + 1))))
			return r;
		s = s.substring(0, colon);
	}
	else if (portNeeded) {
		return _('needs a port');
	}
	r = targetAddr(s);
	return typeof r == 'string' ? r : null;
}

function targetName(s, root) {
	if (s == '.' && root)
		return null;
	if (s.length > 1 && s.charAt(s.length - 1) == '.' && s.charAt(s.length - 2) != '.')
		s = s.substring(0, s.length - 1);
	if (!s.length || s == '.')
		return _('has an empty name');
	if (s.length >= 128)
		return _('has a name that is too long');
	const labels = s.split('.');
	if (labels.some((l) => !l.length))
		return _('has an empty label in a name');
	if (labels.some((l) => l.length > 63))
		return _('has a label longer than 63 characters');
	if (!/^[A-Za-z0-9_.-]+$/.test(s))
		return _('has a bad character in a name');
	return null;
}

function targetHttpOpts(s) {
	let status = false, host = false;
	while (s.charAt(0) == ',') {
		s = s.substring(1);
		const end = s.indexOf(','), opt = end < 0 ? s : s.substring(0, end);
		if (opt.length > 7 && opt.indexOf('status=') == 0) {
			if (status)
				return _('gives status= twice');
			if (!/^status=[1-5][0-9][0-9]$/.test(opt))
				return _('has a bad status (100..599)');
			status = true;
		}
		else if (opt.length > 5 && opt.indexOf('host=') == 0) {
			if (host)
				return _('gives host= twice');
			const r = targetName(opt.substring(5), false);
			if (r)
				return r;
			host = true;
		}
		else {
			return _('has an unknown option (status=NNN, host=NAME)');
		}
		s = s.substring(opt.length);
	}
	return s.length ? _('has unexpected text') : null;
}

function targetHttp(s) {
	const hl = s.search(/[/,]|$/);
	const r = targetHostport(s.substring(0, hl), false);
	if (r)
		return r;
	s = s.substring(hl);
	const pl = s.search(/,|$/);
	if (pl >= 128)
		return _('has a path that is too long');
	if (s.substring(0, pl).indexOf('#') >= 0)
		return _('has a fragment (\'#\') in its path');
	return targetHttpOpts(s.substring(pl));
}

function targetError(s) {
	if (!s.length)
		return _('is empty: expected an address, tcp:, dns:, http:// or https://');
	if (s.length > 255)
		return _('is longer than 255 characters');
	if (controlOrSpace(s, false))
		return _('contains a space, control or non-ASCII character');
	if (s.indexOf('icmp:') == 0) {
		if (s.charAt(5) == '[')
			return _('has brackets: an ICMP target is a bare address');
		const r = targetAddr(s.substring(5));
		return typeof r == 'string' ? r : null;
	}
	if (s.indexOf('tcp:') == 0)
		return targetHostport(s.substring(4), true);
	if (s.indexOf('dns:') == 0) {
		const rest = s.substring(4), sl = rest.indexOf('/');
		const r = targetHostport(sl < 0 ? rest : rest.substring(0, sl), false);
		return r || (sl < 0 ? null : targetName(rest.substring(sl + 1), true));
	}
	if (s.indexOf('http://') == 0)
		return targetHttp(s.substring(7));
	if (s.indexOf('https://') == 0)
		return targetHttp(s.substring(8));
	const word = /^[A-Za-z]+/.exec(s), c1 = s.indexOf(':');
	const v6ish = c1 >= 0 && s.indexOf(':', c1 + 1) >= 0;
	if (word && s.charAt(word[0].length) == ':' && !v6ish)
		return _('has an unknown probe kind (icmp, tcp, dns, http, https)');
	if (s.indexOf('://') >= 0)
		return _('has an unknown scheme (http://, https://)');
	const r = targetAddr(s);
	return typeof r == 'string' ? r : null;
}

/* ---- one value of one option ---- */

const DURATION_UNITS = { ms: 1, s: 1000, m: 60000, h: 3600000, d: 86400000 };

function checkInt(def, s) {
	if (!/^[+-]?[0-9]+$/.test(s))
		return _('is not an integer');
	const v = BigInt(s);
	if ((def.min || def.max) && (v < BigInt(def.min) || v > BigInt(def.max)))
		return fmt(_('is out of range %s..%s'), def.min, def.max);
	return null;
}

function checkDuration(def, s) {
	const m = /^([0-9]+)(ms|s|m|h|d)?$/.exec(s);
	if (!m)
		return _('is not an integer or a duration with a unit (ms, s, m, h, d)');
	const mul = m[2] ? DURATION_UNITS[m[2]] : (def.unit_ms ? 1 : 1000);
	const ms = BigInt(m[1]) * BigInt(mul);
	if ((def.min || def.max) && (ms < BigInt(def.min) || ms > BigInt(def.max))) {
		const unit = def.unit_ms ? 1 : 1000;
		return fmt(_('is out of range %s..%s'), def.min / unit, def.max / unit) +
			(def.unit_ms ? ' ms' : ' s');
	}
	return null;
}

function checkCidr(s) {
	const slash = s.indexOf('/'), a = slash < 0 ? s : s.substring(0, slash);
	const b = a.indexOf(':') >= 0 ? pton6(a) : pton4(a);
	if (!b)
		return _('is not an address/prefix');
	if (slash < 0)
		return null;
	const p = s.substring(slash + 1);
	if (!/^[0-9]+$/.test(p))
		return _('has a prefix length that is not a number');
	if (+p > b.length * 8)
		return fmt(_('has a prefix length out of range 0..%d'), b.length * 8);
	return null;
}

function checkIfname(s) {
	if (new TextEncoder().encode(s).length > 15 || s == '.' || s == '..' || controlOrSpace(s, true) ||
	    /[/:]/.test(s))
		return _('is not an interface name (at most 15 characters, no \'/\', \':\' or spaces)');
	return null;
}

const BOOL_WORDS = [ '1', '0', 'yes', 'no', 'on', 'off', 'true', 'false', 'enabled', 'disabled' ];

/* One item (a list option's values are split first, as the daemon does). */
function checkItem(def, s) {
	switch (def.type) {
	case 'bool':
		return BOOL_WORDS.indexOf(s.toLowerCase()) >= 0 ? null :
			_('is not a boolean (use 1/0, yes/no, on/off, true/false)');
	case 'int':
		return checkInt(def, s);
	case 'enum':
		return (def.enums || []).some((e) => e.toLowerCase() == s.toLowerCase()) ? null :
			fmt(_('is not one of: %s'), (def.enums || []).join(', '));
	case 'duration':
		return checkDuration(def, s);
	case 'string':
	case 'secret':
		return null;
	case 'ipaddr':
		return pton4(s) || (s.indexOf(':') >= 0 && pton6(s)) ? null : _('is not an IP address');
	case 'cidr':
		return checkCidr(s);
	case 'host':
		return isIp(s) || validHostname(s) ? null : _('is not an IP address or host name');
	case 'url':
		return validUrl(s) ? null : _('is not an http:// or https:// URL');
	case 'email':
		return validEmail(s) ? null : _('is not an email address');
	case 'ifname':
		return checkIfname(s);
	case 'target':
		return targetError(s);
	}
	return null;
}

/* A field's value as LuCI gives it to validate(): true when the daemon would
 * take it, else the reason. Empty means "not set" (the default applies). */
function validateValue(def, value) {
	const s = value == null ? '' : String(value);
	if (s === '')
		return true;
	let items = [ s ];
	if (def.list)
		items = s.split(def.type == 'target' ? /[ \t\r\n]+/ : /[, \t\r\n]+/)
			.map((p) => (def.type == 'target' && p.length > 1 && p.charAt(p.length - 1) == ',')
				? p.substring(0, p.length - 1) : p)
			.filter((p) => p.length);
	for (let i = 0; i < items.length; i++) {
		const err = checkItem(def, items[i]);
		if (err)
			return fmt('\'%s\' %s', items[i].length > 48 ? items[i].substring(0, 45) + '...'
				: items[i], err);
	}
	return true;
}

return baseclass.extend({
	validateValue: validateValue,
	isIp: isIp,
	targetError: targetError
});
