#!/usr/bin/python3
"""Writes luci-app-autonomy/po/templates/autonomy.pot: every string the LuCI
app translates — `_('...')` in its JavaScript, the menu titles and ACL
descriptions (as LuCI's own i18n scan takes them) and the config schema's
help texts, which the config page shows through _().

    gen_pot.py            rewrite the template
    gen_pot.py --check    exit 1 when a string is missing from it or no longer
                          used (the references' line numbers may be old)
"""
import json
import os
import re
import sys

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
APP = os.path.join(REPO, "luci-app-autonomy")
POT = os.path.join(APP, "po", "templates", "autonomy.pot")
SCHEMA = os.path.join(APP, "htdocs", "luci-static", "resources", "autonomy", "schema.js")

# _( followed by one string literal and then ',' or ')'
CALL = re.compile(r"""(?<![\w.$])_\(\s*('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")\s*[,)]""")
ESCAPES = {"n": "\n", "t": "\t", "'": "'", '"': '"', "\\": "\\"}


def js_unquote(lit):
    body = lit[1:-1]
    return re.sub(r"\\(u[0-9a-fA-F]{4}|.)",
                  lambda m: chr(int(m.group(1)[1:], 16)) if m.group(1)[0] == "u"
                  else ESCAPES.get(m.group(1), m.group(1)), body)


def scan_js(path, rel, out):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for m in CALL.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        out.setdefault(js_unquote(m.group(1)), []).append("%s:%d" % (rel, line))


def scan_json(path, rel, keys, out):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k in keys and isinstance(v, str):
                    needle = json.dumps(v, ensure_ascii=False)
                    line = next((i + 1 for i, l in enumerate(lines) if needle in l), 1)
                    out.setdefault(v, []).append("%s:%d" % (rel, line))
                else:
                    walk(v)
    with open(path, encoding="utf-8") as f:
        walk(json.load(f))


def scan_schema(out):
    """The help texts of schema.js (one JSON object per line)."""
    rel = os.path.relpath(SCHEMA, APP)
    with open(SCHEMA, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            for m in re.finditer(r'"help": ("(?:[^"\\]|\\.)*")', line):
                text = json.loads(m.group(1))
                if text:
                    out.setdefault(text, []).append("%s:%d" % (rel, n))


def po_quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def collect():
    out = {}
    htdocs = os.path.join(APP, "htdocs")
    for root, _dirs, files in sorted(os.walk(htdocs)):
        for name in sorted(files):
            if name.endswith(".js"):
                p = os.path.join(root, name)
                scan_js(p, os.path.relpath(p, APP), out)
    for sub, keys in (("root/usr/share/luci/menu.d", {"title"}),
                      ("root/usr/share/rpcd/acl.d", {"description"})):
        d = os.path.join(APP, sub)
        for name in sorted(os.listdir(d)):
            scan_json(os.path.join(d, name), os.path.join(sub, name), keys, out)
    scan_schema(out)
    return out


def render(strings):
    parts = ['msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8"\n']
    for msgid in sorted(strings):
        refs = "".join("#: %s\n" % r for r in strings[msgid])
        parts.append("%smsgid %s\nmsgstr \"\"\n" % (refs, po_quote(msgid)))
    return "\n".join(parts)


def pot_msgids(path):
    """The msgids of a .pot (multi-line ones joined)."""
    ids, cur = set(), None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("msgid "):
                cur = [json.loads(line[6:])]
            elif line.startswith('"') and cur is not None:
                cur.append(json.loads(line))
            elif line.startswith("msgstr") and cur is not None:
                ids.add("".join(cur))
                cur = None
    ids.discard("")
    return ids


def main(argv):
    strings = collect()
    if "--check" in argv:
        have = pot_msgids(POT) if os.path.exists(POT) else set()
        missing, gone = set(strings) - have, have - set(strings)
        for s in sorted(missing):
            print("missing from autonomy.pot: %r (%s)" % (s, strings[s][0]), file=sys.stderr)
        for s in sorted(gone):
            print("in autonomy.pot but no longer used: %r" % s, file=sys.stderr)
        if missing or gone:
            print("run web/tools/gen_pot.py", file=sys.stderr)
            return 1
        print("autonomy.pot has every translated string (%d)" % len(strings))
        return 0
    text = render(strings)
    os.makedirs(os.path.dirname(POT), exist_ok=True)
    with open(POT + ".new", "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(POT + ".new", POT)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
