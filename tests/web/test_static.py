#!/usr/bin/python3
"""The web UI without a browser: lint, translations, the generated schema
module, the LuCI package tree as luci.mk installs it, and the ubus methods
the pages call against the plugin's methods and the ACLs that grant them.

    test_static.py BUILD_DIR        prints "N passed, N failed" last
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import luci_tree  # noqa: E402

BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build"))
APP = luci_tree.APP
RES = os.path.join(APP, "htdocs", "luci-static", "resources")
PKG_ACL = os.path.join(ROOT, "openwrt", "files", "usr", "share", "rpcd", "acl.d", "autonomy.json")
APP_ACL = os.path.join(APP, "root", "usr", "share", "rpcd", "acl.d", "luci-app-autonomy.json")
MENU = os.path.join(APP, "root", "usr", "share", "luci", "menu.d", "luci-app-autonomy.json")
SHARED = ("data.js", "charts.js")       # the modules the standalone page shares


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def plugin_methods():
    """What autonomyctl offers rpcd as the exec plugin `autonomy` (its list)."""
    d = tempfile.mkdtemp(prefix="autonomy-web-")
    try:
        os.symlink(os.path.join(BUILD, "autonomyctl"), os.path.join(d, "autonomy"))
        out = subprocess.run([os.path.join(d, "autonomy"), "list"], capture_output=True,
                             text=True, check=True).stdout
        return json.loads(out)
    finally:
        shutil.rmtree(d)


def granted(acl, group, perm, obj):
    return set(acl.get(group, {}).get(perm, {}).get("ubus", {}).get(obj, []))


class Lint(unittest.TestCase):
    def test_eslint_luci_conventions(self):
        eslint = os.path.join(HERE, "node_modules", "eslint", "bin", "eslint.js")
        if not os.path.exists(eslint):
            self.fail("ESLint is not installed: run tests/integration/run-web.sh (npm ci)")
        r = subprocess.run(["node", eslint, "-c", os.path.join(HERE, "eslint.config.mjs"),
                            "--max-warnings", "0", "luci-app-autonomy", "web", "tests/web"],
                           cwd=ROOT, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_eslint_rules_catch_what_they_should(self):
        """The LuCI rules themselves: a module breaking each convention is reported."""
        eslint = os.path.join(HERE, "node_modules", "eslint", "bin", "eslint.js")
        bad = ("'require view';\n'require ui';\n'require frob!';\n"
               "var x = _('a' + 'b');\nform.Map();\nreturn view;\n")
        d = tempfile.mkdtemp(prefix="autonomy-lint-", dir=os.path.join(ROOT, "luci-app-autonomy"))
        try:
            with open(os.path.join(d, "bad.js"), "w") as f:
                f.write(bad)
            r = subprocess.run(["node", eslint, "-c", os.path.join(HERE, "eslint.config.mjs"),
                                "-f", "json", os.path.relpath(d, ROOT)], cwd=ROOT,
                               capture_output=True, text=True)
        finally:
            shutil.rmtree(d)
        rules = {m["ruleId"] for f in json.loads(r.stdout) for m in f["messages"]}
        for rule in ("luci/module-shape", "luci/require-used", "luci/translatable-literal",
                     "strict", "no-var"):
            self.assertIn(rule, rules)


class Generated(unittest.TestCase):
    def test_pot_has_every_string(self):
        r = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "web/tools/gen_pot.py"),
                            "--check"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_schema_module_matches_the_tables(self):
        r = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "web/tools/gen_schema.py"),
                            "--check", os.path.join(BUILD, "schema_json")],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)


    def test_config_page_titles_every_section(self):
        """A section the schema gains gets a title on the config page."""
        with open(os.path.join(RES, "view", "autonomy", "config.js"), encoding="utf-8") as f:
            page = f.read()
        block = page[page.index("const SECTION_TITLE = {"):page.index("};", page.index("SECTION_TITLE"))]
        titled = set(re.findall(r"^\t(\w+): _\(", block, re.M))
        with open(os.path.join(RES, "autonomy", "schema.js"), encoding="utf-8") as f:
            sections = set(re.findall(r'^\t\t\{"type": "autonomy", "name": "(\w+)"', f.read(), re.M))
        self.assertTrue(sections)
        self.assertEqual(sections - titled, set())
        self.assertEqual(titled - sections, set())


class PackageTree(unittest.TestCase):
    def setUp(self):
        self.dest = tempfile.mkdtemp(prefix="autonomy-luci-pkg-")
        self.files = luci_tree.assemble(self.dest)

    def tearDown(self):
        shutil.rmtree(self.dest)

    def test_makefile_is_a_luci_app(self):
        v = luci_tree.makefile_vars()
        self.assertIn("$(TOPDIR)/feeds/luci/luci.mk", v["_includes"])
        self.assertIn("$(TOPDIR)/rules.mk", v["_includes"])
        self.assertTrue(v.get("LUCI_TITLE"))
        deps = v.get("LUCI_DEPENDS", "").split()
        self.assertIn("+luci-base", deps)
        self.assertIn("+autonomy", deps)
        self.assertEqual(v.get("LUCI_PKGARCH"), "all")

    def test_tree_installs_and_loads(self):
        want = {"www/luci-static/resources/view/autonomy/%s.js" % v
                for v in ("overview", "members", "decisions", "config")}
        want |= {"www/luci-static/resources/view/status/include/70_autonomy.js",
                 "usr/share/luci/menu.d/luci-app-autonomy.json",
                 "usr/share/rpcd/acl.d/luci-app-autonomy.json"}
        self.assertLessEqual(want, set(self.files))
        # nothing of the sources' own tooling or templates lands on the router
        self.assertFalse([f for f in self.files if f.endswith((".pot", ".po", "Makefile"))])
        problems, modules = luci_tree.check_tree(self.dest)
        self.assertEqual(problems, [])
        for m in ("autonomy/data", "autonomy/charts", "autonomy/validate", "autonomy/schema",
                  "autonomy/widgets"):
            self.assertIn(m, modules)

    def test_broken_tree_is_reported(self):
        """The checker finds a missing view and a missing required module."""
        os.remove(os.path.join(self.dest, luci_tree.RESOURCES, "view/autonomy/members.js"))
        os.remove(os.path.join(self.dest, luci_tree.RESOURCES, "autonomy/charts.js"))
        problems, _ = luci_tree.check_tree(self.dest)
        self.assertTrue(any("members.js is not installed" in p for p in problems), problems)
        self.assertTrue(any("requires autonomy.charts" in p for p in problems), problems)


class Methods(unittest.TestCase):
    """The ubus methods the pages call exist, and the ACLs grant exactly
    what each page needs: queries as read, actions as write."""

    @classmethod
    def setUpClass(cls):
        cls.methods = set(plugin_methods())
        cls.pkg = load(PKG_ACL)
        cls.app = load(APP_ACL)
        cls.reads = granted(cls.pkg, "autonomy-read", "read", "autonomy")
        cls.writes = granted(cls.pkg, "autonomy-write", "write", "autonomy")

    def calls(self, *modules):
        out = set()
        for m in modules:
            out |= luci_tree.rpc_calls(os.path.join(RES, m + ".js"))
        return out

    def optional(self):
        """Methods the pages use only where the daemon has them (data.js's
        OPTIONAL_METHODS: the history store's)."""
        with open(os.path.join(RES, "autonomy", "data.js"), encoding="utf-8") as f:
            m = re.search(r"const OPTIONAL_METHODS = \[([^\]]*)\]", f.read())
        return set(re.findall(r"'(\w+)'", m.group(1)))

    def test_declared_methods_exist(self):
        called = {m for o, m in self.calls("autonomy/data") if o == "autonomy"}
        self.assertTrue(called)
        self.assertEqual(called - self.methods - self.optional(), set())
        # an optional method is a query, used only after the pages find it
        for view in ("view/autonomy/decisions",):
            with open(os.path.join(RES, view + ".js"), encoding="utf-8") as f:
                self.assertIn("data.hasMethod(", f.read())

    def test_app_acl_follows_the_package_split(self):
        for grp in self.app:
            for perm in ("read", "write"):
                got = granted(self.app, grp, perm, "autonomy")
                self.assertEqual(got - self.methods - self.optional(), set(), (grp, perm))
                ref = self.reads | self.optional() if perm == "read" else self.writes
                self.assertEqual(got - ref, set(), "%s %s grants %s" % (grp, perm, got - ref))

    def test_each_view_is_granted_what_it_calls(self):
        menu = load(MENU)
        base = menu["admin/services/autonomy"]["depends"]["acl"]
        for node, spec in menu.items():
            act = spec.get("action", {})
            if act.get("type") != "view":
                continue
            groups = base + spec.get("depends", {}).get("acl", [])
            view_mods = self.modules_of("view/" + act["path"])
            allowed = set()
            for g in groups:
                for perm in ("read", "write"):
                    allowed |= {("autonomy", m) for m in granted(self.app, g, perm, "autonomy")}
                    allowed |= {("session", m) for m in granted(self.app, g, perm, "session")}
            used = self.used_calls(view_mods)
            self.assertEqual(used - allowed, set(), node)

    def test_status_include_is_read_only(self):
        used = self.used_calls(self.modules_of("view/status/include/70_autonomy"))
        self.assertEqual(used, {("autonomy", "status"), ("autonomy", "members")})
        self.assertLessEqual({m for _, m in used},
                             granted(self.app, "luci-app-autonomy", "read", "autonomy"))

    def test_unauthenticated_gets_nothing_from_the_app(self):
        self.assertNotIn("unauthenticated", self.app)

    # -- helpers --
    def modules_of(self, mod):
        """The module and every app module it requires, transitively."""
        seen, todo = set(), [mod]
        while todo:
            m = todo.pop()
            if m in seen:
                continue
            seen.add(m)
            for name, _alias in luci_tree.requires(os.path.join(RES, m + ".js")):
                if name not in luci_tree.LUCI_MODULES:
                    todo.append(name.replace(".", "/"))
        return seen

    def used_calls(self, mods):
        """The (object, method) pairs a set of modules calls through data.js's
        declarations: data.callX in the view → the method X declares."""
        decl = {}
        with open(os.path.join(RES, "autonomy/data.js"), encoding="utf-8") as f:
            text = f.read()
        for m in re.finditer(r"const (call\w+) = declare\('(\w+)'", text):
            decl[m.group(1)] = {("autonomy", m.group(2))}
        for m in re.finditer(r"(\w+): declare\('(\w+)'", text):
            decl.setdefault("callDishAction", set()).add(("autonomy", m.group(2)))
        decl["callSessionAccess"] = {("session", "access")}
        used = set()
        for mod in mods:
            with open(os.path.join(RES, mod + ".js"), encoding="utf-8") as f:
                src = f.read()
            for name, calls in decl.items():
                if re.search(r"\bdata\.%s\b" % name, src):
                    used |= calls
        return used


class StandalonePage(unittest.TestCase):
    def test_installs_with_the_shared_modules(self):
        dest = tempfile.mkdtemp(prefix="autonomy-web-install-")
        try:
            r = subprocess.run(["cmake", "--install", BUILD, "--component", "web", "--prefix", "/"],
                               env=dict(os.environ, DESTDIR=dest), capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            page = os.path.join(dest, "share", "autonomy", "www")
            self.assertEqual(sorted(os.listdir(page)), sorted(["index.html", "app.js"] + list(SHARED)))
            for name in SHARED:      # the very files the LuCI app installs
                with open(os.path.join(page, name), "rb") as a, \
                        open(os.path.join(RES, "autonomy", name), "rb") as b:
                    self.assertEqual(a.read(), b.read(), name)
        finally:
            shutil.rmtree(dest)

    def test_openwrt_package_installs_the_page(self):
        """openwrt/Makefile: its Build/Prepare copies what `cmake --install`
        needs for the page, and its CMake options put it in /www/autonomy,
        which the autonomy-www package installs."""
        with open(os.path.join(ROOT, "openwrt", "Makefile"), encoding="utf-8") as f:
            mk = f.read()
        prep = mk[mk.index("define Build/Prepare"):mk.index("endef", mk.index("define Build/Prepare"))]
        for src in ("web", "luci-app-autonomy/htdocs", "README.md", "CMakeLists.txt"):
            self.assertIn("$(CURDIR)/../" + src, prep)
        self.assertIn("-DAUTONOMY_WWW_DIR=/www/autonomy", mk)
        self.assertIn("$(PKG_INSTALL_DIR)/www/autonomy/*", mk)
        self.assertIn("$(eval $(call BuildPackage,autonomy-www))", mk)
        tmp = tempfile.mkdtemp(prefix="autonomy-web-owrt-")
        try:
            r = subprocess.run(["cmake", "-S", ROOT, "-B", os.path.join(tmp, "b"),
                                "-DAUTONOMY_TESTS=OFF", "-DAUTONOMY_WWW_DIR=/www/autonomy"],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            r = subprocess.run(["cmake", "--install", os.path.join(tmp, "b"), "--component", "web"],
                               env=dict(os.environ, DESTDIR=os.path.join(tmp, "root")),
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(sorted(os.listdir(os.path.join(tmp, "root", "www", "autonomy"))),
                             sorted(["index.html", "app.js"] + list(SHARED)))
        finally:
            shutil.rmtree(tmp)

    def test_no_external_resources(self):
        for name in ("index.html", "app.js"):
            with open(os.path.join(ROOT, "web", name), encoding="utf-8") as f:
                text = f.read()
            self.assertFalse(re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", text), name)
            self.assertFalse(re.findall(r"""(?:fetch|import)\(\s*["'](?:https?:)?//""", text), name)
            self.assertFalse(re.findall(r"@import|url\(\s*['\"]?https?:", text), name)


def main():
    sys.argv[1:] = []
    res = unittest.TextTestRunner(verbosity=2).run(
        unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__]))
    bad = len(res.failures) + len(res.errors)
    print("%d passed, %d failed" % (res.testsRun - bad, bad))
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
