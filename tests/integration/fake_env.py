"""Settings of the fake modem and radio tools (fake_tools/fake_tool.py,
wifi_fake_tool.py): fake.env beside the tool as it was run (KEY=VALUE
lines), over the environment. autonomy gives the tools it runs a minimal
environment (PATH, LC_ALL, LANG, HOME: src/core/proc_child.c), so a test's
settings travel in that file."""
import os
import sys


def fake_env():
    env = dict(os.environ)
    path = os.path.join(os.path.dirname(os.path.abspath(sys.argv[0])), "fake.env")
    try:
        with open(path) as f:
            for line in f:
                k, _, v = line.rstrip("\n").partition("=")
                if k:
                    env[k] = v
    except OSError:
        pass
    return env


ENV = fake_env()
