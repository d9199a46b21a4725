#!/usr/bin/env python3
"""Lab DDNS contract servers over HTTPS (tests/lab/test_ddns_*.sh).

  ddns_server.py dyndns2    --cert C --key K --port P --dir D --user U --password PW
  ddns_server.py cloudflare --cert C --key K --port P --dir D --token T

Every request is appended to D/requests.log as one JSON line (method, path,
query, auth ok, body). Replies are scriptable:
  dyndns2: D/reply holds "STATUS BODY" (e.g. "200 911", "503 down"); absent
  or "auto": good ADDR / nochg ADDR by what the server last stored, badauth on
  wrong credentials; "hang": no answer for 20 s, then the connection is closed (a
  server that times out; tests/lab/soak.sh).
  D/records.json holds what it stored.
  cloudflare: API v4 for one zone (D/records.json is the zone's records,
  written back after each change); D/reply "STATUS" forces an error status.
"""
import argparse
import base64
import json
import os
import ssl
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ZONE_ID = "023e105f4ecef8ad9ca31a8372d0c353"


def load(path, default):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return default


def save(path, data):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f, indent=1)
    os.replace(tmp, path)


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("ddns_server: " + (fmt % args) + "\n")

    def reply(self, status, body, ctype="text/plain"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def record(self, auth_ok, body=""):
        u = urllib.parse.urlsplit(self.path)
        entry = {"method": self.command, "path": u.path,
                 "query": dict(urllib.parse.parse_qsl(u.query)),
                 "auth_ok": auth_ok, "agent": self.headers.get("User-Agent", ""),
                 "body": body}
        with open(os.path.join(A.dir, "requests.log"), "a") as f:
            f.write(json.dumps(entry) + "\n")
        return u, entry

    def scripted(self):
        try:
            with open(os.path.join(A.dir, "reply")) as f:
                s = f.read().strip()
        except OSError:
            return None
        return None if s in ("", "auto") else s

    # ---- dyndns2
    def dyndns2(self):
        want = "Basic " + base64.b64encode(f"{A.user}:{A.password}".encode()).decode()
        auth_ok = self.headers.get("Authorization") == want
        u, e = self.record(auth_ok)
        s = self.scripted()
        if s == "hang":
            time.sleep(20)  # past the client's timeout (homeexpose: 15 s)
            self.close_connection = True
            return None
        if s:
            st, _, body = s.partition(" ")
            return self.reply(int(st), body + "\n")
        if u.path != "/nic/update":
            return self.reply(404, "not found\n")
        if not auth_ok:
            return self.reply(200, "badauth\n")
        q = e["query"]
        host = q.get("hostname", "")
        recs = load(os.path.join(A.dir, "records.json"), {})
        v6 = "myipv6" in q or ":" in q.get("myip", "")
        addr = q.get("myipv6") if "myipv6" in q else q.get("myip", self.client_address[0])
        key = host + ("/AAAA" if v6 else "/A")
        if recs.get(key) == addr:
            return self.reply(200, f"nochg {addr}\n")
        recs[key] = addr
        save(os.path.join(A.dir, "records.json"), recs)
        return self.reply(200, f"good {addr}\n")

    # ---- cloudflare
    def cf(self, status, result, errors=None):
        body = {"success": status < 300, "errors": errors or [], "messages": [],
                "result": result}
        return self.reply(status, json.dumps(body), "application/json")

    def cloudflare(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n).decode() if n else ""
        auth_ok = self.headers.get("Authorization") == "Bearer " + A.token
        u, e = self.record(auth_ok, raw)
        s = self.scripted()
        if s:
            return self.cf(int(s), None, [{"code": 9999, "message": "scripted"}])
        if not auth_ok:
            return self.cf(403, None, [{"code": 10000, "message": "Authentication error"}])
        path = u.path[len("/client/v4"):] if u.path.startswith("/client/v4") else u.path
        parts = [p for p in path.split("/") if p]
        q = e["query"]
        rpath = os.path.join(A.dir, "records.json")
        recs = load(rpath, [])
        if parts == ["zones"] and self.command == "GET":
            res = [{"id": ZONE_ID, "name": A.zone}] if q.get("name") == A.zone else []
            return self.cf(200, res)
        if len(parts) < 3 or parts[0] != "zones" or parts[1] != ZONE_ID or parts[2] != "dns_records":
            return self.cf(404, None, [{"code": 7003, "message": "Could not route"}])
        if len(parts) == 3 and self.command == "GET":
            res = [r for r in recs if r["type"] == q.get("type") and r["name"] == q.get("name")]
            return self.cf(200, res)
        if len(parts) == 3 and self.command == "POST":
            r = json.loads(raw)
            r["id"] = "%032x" % (len(recs) + 1)
            recs.append(r)
            save(rpath, recs)
            return self.cf(200, r)
        if len(parts) == 4 and self.command == "PATCH":
            for r in recs:
                if r["id"] == parts[3]:
                    r.update(json.loads(raw))
                    save(rpath, recs)
                    return self.cf(200, r)
            return self.cf(404, None, [{"code": 81044, "message": "Record does not exist."}])
        return self.cf(405, None, [{"code": 10405, "message": "Method not allowed"}])

    def handle_any(self):
        (self.dyndns2 if A.mode == "dyndns2" else self.cloudflare)()

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = handle_any


def main():
    global A
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["dyndns2", "cloudflare"])
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--addr", default="::")
    p.add_argument("--port", type=int, default=8443)
    p.add_argument("--dir", required=True)
    p.add_argument("--user", default="alice")
    p.add_argument("--password", default="")
    p.add_argument("--token", default="")
    p.add_argument("--zone", default="example.com")
    A = p.parse_args()

    class S(ThreadingHTTPServer):
        address_family = __import__("socket").AF_INET6

    srv = S((A.addr, A.port), H)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(A.cert, A.key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.serve_forever()


A = None
if __name__ == "__main__":
    main()
