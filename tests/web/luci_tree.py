"""The LuCI app's package tree, assembled as LuCI's luci.mk installs it, and
the checks an installed app must pass.

luci.mk (Build/Prepare + Package/install) copies the app's luasrc/ to
/usr/lib/lua/luci, htdocs/ to /www, root/ to /, ucode/ to
/usr/share/ucode/luci, and builds src/ (none here); po/ becomes separate
luci-i18n-* packages (no translations yet: templates only). A view is a
menu.d action {"type": "view", "path": P}, loaded from
/www/luci-static/resources/view/P.js; 'require a.b' loads
/www/luci-static/resources/a/b.js.
"""
import json
import os
import re
import shutil

APP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "luci-app-autonomy"))
INSTALL = {"luasrc": "usr/lib/lua/luci", "htdocs": "www", "root": "",
           "ucode": "usr/share/ucode/luci"}
RESOURCES = "www/luci-static/resources"
# modules LuCI itself provides (luci-base)
LUCI_MODULES = {"baseclass", "view", "form", "ui", "uci", "rpc", "poll", "dom", "request",
                "network", "fs", "validation", "firewall", "tools.widgets"}
REQUIRE = re.compile(r"^'require ([\w.]+)(?: as (\w+))?';$", re.M)


def makefile_vars(app=APP):
    """The Makefile's VAR:=value assignments (continuation lines joined)."""
    with open(os.path.join(app, "Makefile"), encoding="utf-8") as f:
        text = f.read().replace("\\\n", " ")
    out = {}
    for m in re.finditer(r"^([A-Z_]+)\s*:?=\s*(.*)$", text, re.M):
        out[m.group(1)] = " ".join(m.group(2).split())
    out["_includes"] = re.findall(r"^include\s+(\S+)", text, re.M)
    return out


def assemble(dest, app=APP):
    """Copies what luci.mk would install into dest; returns the files."""
    for src, to in INSTALL.items():
        s = os.path.join(app, src)
        if os.path.isdir(s):
            shutil.copytree(s, os.path.join(dest, to), dirs_exist_ok=True)
    files = []
    for root, _dirs, names in os.walk(dest):
        files += [os.path.relpath(os.path.join(root, n), dest) for n in names]
    return sorted(files)


def requires(path):
    with open(path, encoding="utf-8") as f:
        return [(m.group(1), m.group(2)) for m in REQUIRE.finditer(f.read())]


def rpc_calls(path):
    """(object, method) of every rpc.declare / declare('method') in a module."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    calls = set(re.findall(r"object:\s*'(\w+)',\s*method:\s*'(\w+)'", text))
    # data.js's own helper: declare('method', ...) is object 'autonomy'
    calls |= {("autonomy", m) for m in re.findall(r"\bdeclare\('(\w+)'", text)}
    return calls


def check_tree(root):
    """Problems of an assembled tree (empty list: it installs and loads)."""
    problems = []
    menu_dir = os.path.join(root, "usr/share/luci/menu.d")
    acl_dir = os.path.join(root, "usr/share/rpcd/acl.d")
    views = []
    for name in sorted(os.listdir(menu_dir)):
        with open(os.path.join(menu_dir, name), encoding="utf-8") as f:
            menu = json.load(f)
        for node, spec in menu.items():
            act = spec.get("action", {})
            if act.get("type") == "view":
                views.append(act["path"])
                if not os.path.isfile(os.path.join(root, RESOURCES, "view", act["path"] + ".js")):
                    problems.append("menu %s: view %s.js is not installed" % (node, act["path"]))
            for grp in spec.get("depends", {}).get("acl", []):
                if not any(grp in acl_groups(os.path.join(acl_dir, a)) for a in os.listdir(acl_dir)):
                    problems.append("menu %s: ACL group %s is not installed" % (node, grp))
    # every module a view requires (and theirs) is LuCI's or installed
    seen, todo = set(), [os.path.join("view", v) for v in views]
    inc = os.path.join(root, RESOURCES, "view", "status", "include")
    if os.path.isdir(inc):
        todo += [os.path.join("view/status/include", n[:-3]) for n in os.listdir(inc)]
    while todo:
        mod = todo.pop()
        if mod in seen:
            continue
        seen.add(mod)
        path = os.path.join(root, RESOURCES, mod + ".js")
        if not os.path.isfile(path):
            continue                    # reported where it is required
        for name, _alias in requires(path):
            if name in LUCI_MODULES:
                continue
            dep = name.replace(".", "/")
            if not os.path.isfile(os.path.join(root, RESOURCES, dep + ".js")):
                problems.append("%s requires %s: %s.js is not installed" % (mod, name, dep))
            else:
                todo.append(dep)
    return problems, sorted(seen)


def acl_groups(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)
