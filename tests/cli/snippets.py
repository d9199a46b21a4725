#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Configuration that survives copy and paste.

Takes, mechanically, every configuration snippet a user may copy:
  - config/homeexpose.conf with every commented-out key and section uncommented,
  - every indented code block of README.md that holds a [section] line,
  - every .EX/.EE block of the man pages that holds a [section] line,
and runs `homeexpose -c FILE config check` on each, in a temporary directory.
The secret files the snippet names (*-file keys) are made there (mode 600) and
the paths rewritten to them; credential:NAME ones go to a temporary
$CREDENTIALS_DIRECTORY. A snippet whose section is [exposure] is an exposure
drop-in, one with a section that homeexpose.conf does not know is a service
profile; both are checked beside an empty homeexpose.conf.
Runs without root. Ends with "N passed, N failed".
"""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HE = os.environ.get("HE_BIN", os.path.join(ROOT, "build", "homeexpose"))
CONF_SECTIONS = {"general", "router", "firewall", "publicip", "reflector", "agent"}
SECRET_KEYS = {"password-file", "token-file", "tsig-key-file", "key-file"}

SECTION = re.compile(r"^\[([^\]]+)\]")
KEYVAL = re.compile(r"^([A-Za-z0-9_.-]+)\s*[=:]")


def config_lines(lines):
    """The lines from the first [section] on, up to the first line that is
    not configuration (a shell command after the snippet, say)."""
    out, started = [], False
    for raw in lines:
        s = raw.strip()
        if SECTION.match(s):
            started = True
        if not started:
            continue
        if s and not (s[0] in "#;" or SECTION.match(s) or KEYVAL.match(s)):
            break
        out.append(raw)
    return out


def example_config():
    """config/homeexpose.conf with every commented key and section uncommented."""
    path = os.path.join(ROOT, "config", "homeexpose.conf")
    out = []
    with open(path) as f:
        for line in f:
            m = re.match(r"^#\s?(\[[^\]]+\].*|[a-z][a-z0-9-]*\s*=.*)$", line.rstrip("\n"))
            out.append(m.group(1) if m else line.rstrip("\n"))
    return [("config/homeexpose.conf, uncommented", out)]


def readme_snippets():
    path = os.path.join(ROOT, "README.md")
    with open(path) as f:
        lines = f.read().split("\n")
    snippets, block, start = [], [], 0
    for i, line in enumerate(lines + [""]):
        if line.startswith("    ") or (block and line.strip() == ""):
            if not block:
                start = i + 1
            block.append(line[4:])
            continue
        if block:
            cfg = config_lines(block)
            if cfg:
                snippets.append(("README.md:%d" % start, cfg))
            block = []
    return snippets


def unroff(s):
    for a, b in (("\\-", "-"), ("\\(aq", "'"), ("\\(dq", '"'), ("\\e", "\\"), ("\\&", "")):
        s = s.replace(a, b)
    return s


def man_snippets():
    snippets = []
    mandir = os.path.join(ROOT, "man")
    for name in sorted(os.listdir(mandir)):
        with open(os.path.join(mandir, name)) as f:
            lines = f.read().split("\n")
        block, start = None, 0
        for i, line in enumerate(lines):
            if line.startswith(".EX"):
                block, start = [], i + 1
            elif line.startswith(".EE") and block is not None:
                cfg = config_lines(block)
                if cfg:
                    snippets.append(("man/%s:%d" % (name, start), cfg))
                block = None
            elif block is not None and not line.startswith("."):
                block.append(unroff(line))
    return snippets


def kind(lines):
    for raw in lines:
        m = SECTION.match(raw.strip())
        if not m:
            continue
        sec = m.group(1).strip()
        if sec == "exposure":
            return "exposure"
        if sec not in CONF_SECTIONS and not sec.startswith("ddns "):
            return "profile"
    return "config"


def with_secrets(lines, tmp, creds):
    """Point every *-file key at a secret file made here."""
    out = []
    for raw in lines:
        m = re.match(r"^(\s*)([a-z-]+)(\s*=\s*)(\S+)(.*)$", raw)
        if m and m.group(2) in SECRET_KEYS:
            value = m.group(4)
            if value.startswith("credential:"):
                path = os.path.join(creds, value[len("credential:"):])
            else:
                path = os.path.join(tmp, "secrets", os.path.basename(value))
                value = path
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
                f.write("not-a-real-secret\n")
            raw = m.group(1) + m.group(2) + m.group(3) + value + m.group(5)
        out.append(raw)
    return out


def check(desc, lines):
    with tempfile.TemporaryDirectory(prefix="he-snip.") as tmp:
        creds = os.path.join(tmp, "creds")
        os.makedirs(creds)
        lines = with_secrets(lines, tmp, creds)
        conf = os.path.join(tmp, "homeexpose.conf")
        k = kind(lines)
        target = {
            "config": conf,
            "exposure": os.path.join(tmp, "exposures.d", "snippet.conf"),
            "profile": os.path.join(tmp, "services", "snippet.conf"),
        }[k]
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w") as f:
            f.write("\n".join(lines) + "\n")
        if k != "config":
            open(conf, "w").close()
        env = dict(os.environ, HOMEEXPOSE_STATE_DIR=os.path.join(tmp, "state"),
                   HOMEEXPOSE_RUNTIME_DIR=os.path.join(tmp, "run"), CREDENTIALS_DIRECTORY=creds)
        env.pop("HOMEEXPOSE_CONFIG", None)
        p = subprocess.run([HE, "-c", conf, "config", "check"], env=env,
                           capture_output=True, text=True)
        # a warning is a problem too: a snippet should be clean as written
        if p.returncode == 0 and not p.stderr.strip():
            print("ok - %s (%s, %d lines): config check clean" % (desc, k, len(lines)))
            return True
        print("not ok - %s (%s): config check exit %d" % (desc, k, p.returncode))
        for line in (p.stdout + p.stderr).splitlines():
            print("#   " + line)
        for n, line in enumerate(lines, 1):
            print("#   %3d| %s" % (n, line))
        return False


def main():
    snippets = example_config() + readme_snippets() + man_snippets()
    passed = failed = 0
    for desc, lines in snippets:
        if check(desc, lines):
            passed += 1
        else:
            failed += 1
    # the extraction itself must have found something of each source
    for src in ("config/homeexpose.conf", "README.md", "man/homeexpose.conf.5"):
        if any(d.startswith(src) for d, _ in snippets):
            passed += 1
            print("ok - snippets found in %s" % src)
        else:
            failed += 1
            print("not ok - no configuration snippet found in %s" % src)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
