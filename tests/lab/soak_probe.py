#!/usr/bin/env python3
"""The checks of tests/lab/soak.sh that need a program, in one process per
namespace (a python start costs seconds on a loaded machine).

  soak_probe.py inet WAN_IP HOME_IP6 TCP_EXT TCP_INT UDP_EXT UDP_INT
      (in the internet host) TCP and UDP, IPv4 at WAN_IP:EXT and IPv6 at
      [HOME_IP6]:INT, each must answer with soak-tcp / soak-udp within 1 s
  soak_probe.py home SOCK STATE SRVDIR WAN_IP REFLECTOR_URL KEY...
      (in the home host) the agent answers "status" on its control socket
      with ok; the state file is JSON whose portmap records are exactly KEYs;
      the dyndns2 server stored WAN_IP for home.example.org/A and its last
      request carried myip=WAN_IP; the reflector's GET /v1/ip names WAN_IP

Prints "ok", or the first failure (exit 1).
"""
import json
import os
import socket
import sys
import urllib.request


def fail(msg):
    print(msg)
    sys.exit(1)


def tcp(addr, port):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    try:
        with socket.socket(fam, socket.SOCK_STREAM) as s:
            s.settimeout(1)
            s.connect((addr, port))
            return s.recv(200).decode(errors="replace")
    except OSError as e:
        return "(%s)" % e


def udp(addr, port):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    try:
        with socket.socket(fam, socket.SOCK_DGRAM) as s:
            s.settimeout(1)
            s.sendto(b"soak", (addr, port))
            return s.recv(200).decode(errors="replace")
    except OSError as e:
        return "(%s)" % e


def inet(wan, home6, tcp_ext, tcp_int, udp_ext, udp_int):
    for what, got, want in (
            ("TCP IPv4 %s:%s" % (wan, tcp_ext), tcp(wan, int(tcp_ext)), "soak-tcp"),
            ("UDP IPv4 %s:%s" % (wan, udp_ext), udp(wan, int(udp_ext)), "soak-udp"),
            ("TCP IPv6 [%s]:%s" % (home6, tcp_int), tcp(home6, int(tcp_int)), "soak-tcp"),
            ("UDP IPv6 [%s]:%s" % (home6, udp_int), udp(home6, int(udp_int)), "soak-udp")):
        if want not in got:
            fail("%s: %r" % (what, got.strip()))


def home(sock, state, srvdir, wan, refl, keys):
    try:
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(3)
        s.connect(sock)
        s.sendall(b'{"cmd":"status"}\n')
        line = s.makefile().readline().strip()
        s.close()
    except OSError as e:
        fail("control socket: %s" % e)
    if '"ok":true' not in line:
        fail("control socket: %s" % line[:200])
    try:
        with open(state) as f:
            st = json.load(f)
        got = sorted(st["portmap"]["mappings"])
    except (OSError, ValueError, KeyError, TypeError) as e:
        fail("state file %s: %s" % (state, e))
    if got != sorted(keys):
        fail("state file: records %s, want %s" % (got, sorted(keys)))
    try:
        with open(os.path.join(srvdir, "records.json")) as f:
            stored = json.load(f).get("home.example.org/A")
        with open(os.path.join(srvdir, "requests.log")) as f:
            last = [x for x in f if x.strip()][-1]
        myip = json.loads(last)["query"].get("myip")
    except (OSError, ValueError, KeyError, IndexError) as e:
        fail("dyndns2 server files: %s" % e)
    if stored != wan or myip != wan:
        fail("dyndns2: stored %s, last request myip=%s; the router has %s" % (stored, myip, wan))
    try:
        body = urllib.request.urlopen(refl + "/v1/ip", timeout=2).read().decode()
    except OSError as e:
        fail("reflector GET /v1/ip: %s" % e)
    if wan not in body:
        fail("reflector GET /v1/ip: %r lacks %s" % (body[:200], wan))


if __name__ == "__main__":
    if sys.argv[1] == "inet":
        inet(*sys.argv[2:8])
    else:
        home(*sys.argv[2:7], keys=sys.argv[7:])
    print("ok")
