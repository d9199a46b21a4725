#!/usr/bin/env python3
"""Tiny network helpers for the lab (run inside a namespace with ip netns exec).

  labnet.py serve-tcp ADDR PORT BANNER READYFILE   answer every connection with BANNER
  labnet.py serve-udp ADDR PORT REPLY READYFILE    answer every datagram with REPLY
  labnet.py probe-tcp ADDR PORT TIMEOUT            print what the server sent
  labnet.py probe-udp ADDR PORT TIMEOUT            send "probe", print the reply
  labnet.py recv-mcast GROUP PORT TIMEOUT [READYFILE]  print the first datagram sent to
      GROUP:PORT (e.g. the NAT-PMP/PCP announcements on 224.0.0.1:5350) as
      "from ADDR len N hex HEX"; exit 1 if none came within TIMEOUT
  labnet.py pcp-map SERVER CLIENT PROTO IPORT EPORT LIFETIME [EXTIP]
      one PCP (RFC 6887) MAP request; prints "result=N lifetime=N epoch=N
      external=ADDR port=N"; exit 0 only on result 0 (SUCCESS)

Probes exit 0 only if something was read, 1 when nothing answered (with the
reason on stderr), 2 when the probe itself could not run (bad arguments).
In BANNER and REPLY, "{peer}" is replaced by the client's address as the
server sees it (to tell which NAT a connection went through).
Servers create READYFILE once they listen, so callers need not sleep.
"""
import socket
import sys


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def ready(path):
    with open(path, "w") as f:
        f.write("ready\n")


def serve_tcp(addr, port, banner, readyfile):
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(16)
    ready(readyfile)
    while True:
        c, peer = s.accept()
        data = (banner.replace("{peer}", peer[0]) + "\n").encode()
        try:
            c.sendall(data)
        except OSError:
            pass
        c.close()


def serve_udp(addr, port, reply, readyfile):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    ready(readyfile)
    while True:
        _, peer = s.recvfrom(2048)
        data = (reply.replace("{peer}", peer[0]) + "\n").encode()
        try:
            s.sendto(data, peer)
        except OSError:
            pass


def probe_tcp(addr, port, timeout):
    try:
        c = socket.create_connection((addr, port), timeout=timeout)
        c.settimeout(timeout)
        got = b""
        while True:
            b = c.recv(4096)
            if not b:
                break
            got += b
        c.close()
    except OSError as e:
        print("probe-tcp %s:%d: %s" % (addr, port, e), file=sys.stderr)
        return 1
    if not got:
        print("probe-tcp %s:%d: connected, read nothing" % (addr, port),
              file=sys.stderr)
        return 1
    sys.stdout.write(got.decode(errors="replace"))
    return 0


def probe_udp(addr, port, timeout):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        s.connect((addr, port))
        s.send(b"probe\n")
        got = s.recv(2048)
    except OSError as e:
        print("probe-udp %s:%d: %s" % (addr, port, e), file=sys.stderr)
        return 1
    if not got:
        return 1
    sys.stdout.write(got.decode(errors="replace"))
    return 0


def addr16(a):
    if ":" in a:
        return socket.inet_pton(socket.AF_INET6, a)
    return b"\0" * 10 + b"\xff\xff" + socket.inet_aton(a)


def addrstr(b):
    if b[:12] == b"\0" * 10 + b"\xff\xff":
        return socket.inet_ntoa(b[12:])
    return socket.inet_ntop(socket.AF_INET6, b)


def pcp_map(server, client, proto, iport, eport, lifetime, extip, timeout=2.0):
    import os
    import struct
    protos = {"tcp": 6, "udp": 17}
    nonce = os.urandom(12)
    if extip is None:
        extip = "::" if ":" in client else "0.0.0.0"
    req = struct.pack("!BBHI", 2, 1, 0, lifetime) + addr16(client)
    req += nonce + struct.pack("!B3xHH", protos[proto.lower()], iport, eport)
    req += addr16(extip)
    s = socket.socket(family(server), socket.SOCK_DGRAM)
    s.settimeout(timeout)
    s.bind((client, 0))
    s.connect((server, 5351))
    s.send(req)
    try:
        resp = s.recv(1100)
    except OSError as e:
        print("pcp-map: %s" % e, file=sys.stderr)
        return 1
    if len(resp) < 24:
        print("pcp-map: short reply (%d bytes)" % len(resp), file=sys.stderr)
        return 1
    ver, op, _, result, life, epoch = struct.unpack("!BBBBII", resp[:12])
    line = "version=%d opcode=0x%02x result=%d lifetime=%d epoch=%d" % (
        ver, op, result, life, epoch)
    if len(resp) >= 60 and resp[24:36] == nonce:
        _, _, ext_port = struct.unpack("!B3xHH", resp[36:44])
        line += " external=%s port=%d" % (addrstr(resp[44:60]), ext_port)
    print(line)
    return 0 if result == 0 and op == 0x81 else 1


def recv_mcast(group, port, timeout, readyfile=None):
    import struct
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((group, port))
    mreq = struct.pack("4s4s", socket.inet_aton(group), socket.inet_aton("0.0.0.0"))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    s.settimeout(timeout)
    if readyfile:
        ready(readyfile)
    try:
        data, peer = s.recvfrom(2048)
    except OSError as e:
        print("recv-mcast %s:%d: %s" % (group, port, e), file=sys.stderr)
        return 1
    print("from %s len %d hex %s" % (peer[0], len(data), data.hex()))
    sys.stdout.flush()
    return 0


def main(argv):
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, addr = argv[1], argv[2]
    port = int(argv[3]) if cmd != "pcp-map" else 0
    if cmd == "serve-tcp" and len(argv) == 6:
        serve_tcp(addr, port, argv[4], argv[5])
    elif cmd == "serve-udp" and len(argv) == 6:
        serve_udp(addr, port, argv[4], argv[5])
    elif cmd == "probe-tcp" and len(argv) == 5:
        return probe_tcp(addr, port, float(argv[4]))
    elif cmd == "pcp-map" and len(argv) in (8, 9):
        return pcp_map(argv[2], argv[3], argv[4], int(argv[5]), int(argv[6]),
                       int(argv[7]), argv[8] if len(argv) == 9 else None)
    elif cmd == "recv-mcast" and len(argv) in (5, 6):
        return recv_mcast(addr, port, float(argv[4]),
                          argv[5] if len(argv) == 6 else None)
    elif cmd == "probe-udp" and len(argv) == 5:
        return probe_udp(addr, port, float(argv[4]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except (ValueError, TypeError, IndexError) as e:
        # a probe that could not run is not "nothing answered": exit 2, not 1
        print("labnet.py: %s" % e, file=sys.stderr)
        sys.exit(2)
