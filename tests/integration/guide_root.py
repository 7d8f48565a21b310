"""Runs a command in the installed layout without touching the host: started
by `unshare --mount --propagation private`, it builds a root on a tmpfs
(the host's /usr and /etc as overlays whose writes land on that tmpfs, /proc,
/dev and /tmp bound from the host), binds the given files and directories
into it, chroots there and execs the command.

usage: guide_root.py ROOT [--bind SRC:DST]... [--ro-bind SRC:DST]... -- ARGV...
ROOT is an empty directory; DST is a path in the new root (its mountpoint is
made there, on the tmpfs or an overlay's upper layer, never on the host)."""
import os
import subprocess
import sys

# The host's top level as the new root sees it: symlinks stay symlinks
# (merged /usr), these directories are bound, /usr and /etc are overlays.
BOUND = ("proc", "dev", "tmp")
OVERLAID = ("usr", "etc")
LINKED = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")


def mount(*argv):
    subprocess.run(["mount", *argv], check=True, timeout=30)


def mountpoint(path, like):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if os.path.isdir(like):
        os.makedirs(path, exist_ok=True)
    elif not os.path.exists(path):
        open(path, "w").close()


def build(root):
    mount("-t", "tmpfs", "-o", "mode=0755", "guide-root", root)
    for name in LINKED:
        host = "/" + name
        if os.path.islink(host):
            os.symlink(os.readlink(host), os.path.join(root, name))
        elif os.path.isdir(host):
            os.makedirs(os.path.join(root, name))
            mount("--rbind", host, os.path.join(root, name))
    for name in OVERLAID:
        up, work = os.path.join(root, ".ovl", name, "up"), os.path.join(root, ".ovl", name, "work")
        os.makedirs(up)
        os.makedirs(work)
        os.makedirs(os.path.join(root, name))
        mount("-t", "overlay", "overlay", "-o",
              f"lowerdir=/{name},upperdir={up},workdir={work}", os.path.join(root, name))
    for name in BOUND:
        os.makedirs(os.path.join(root, name))
        # /tmp only itself: the new root lies under it
        mount("--bind" if name == "tmp" else "--rbind", "/" + name, os.path.join(root, name))


def bind(root, spec, ro):
    src, dst = spec.split(":", 1)
    target = os.path.join(root, dst.lstrip("/"))
    mountpoint(target, src)
    mount("--bind", src, target)
    if ro:
        mount("-o", "remount,bind,ro", target)


def main(argv):
    sep = argv.index("--")
    root, opts, cmd = argv[1], argv[2:sep], argv[sep + 1:]
    build(root)
    for flag, spec in zip(opts[::2], opts[1::2]):
        if flag not in ("--bind", "--ro-bind"):
            sys.exit(f"guide_root: unknown option {flag}")
        bind(root, spec, flag == "--ro-bind")
    os.chroot(root)
    os.chdir("/")
    os.execve(cmd[0], cmd, os.environ)


if __name__ == "__main__":
    main(sys.argv)
