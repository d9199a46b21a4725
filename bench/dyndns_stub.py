#!/usr/bin/env python3
"""A tiny plain-HTTP dyndns2 endpoint for the bench's inet host.

  dyndns_stub.py ADDR PORT LOG READYFILE

GET /ip answers with the client's address (inadyn's check-ip); GET
/nic/update?hostname=H&myip=A answers "good A" and appends
"<unix time> update H A" to LOG; every request is logged as "<time> GET PATH".
"""
import http.server
import sys
import time


class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with open(sys.argv[3], "a") as f:
            f.write("%.3f GET %s\n" % (time.time(), self.path))
        if self.path.startswith("/ip"):
            body = self.client_address[0]
        elif self.path.startswith("/nic/update"):
            from urllib.parse import parse_qs, urlparse
            q = parse_qs(urlparse(self.path).query)
            ip = q.get("myip", [self.client_address[0]])[0]
            body = "good " + ip
            with open(sys.argv[3], "a") as f:
                f.write("%.3f update %s %s\n" % (time.time(), q.get("hostname", ["?"])[0], ip))
        else:
            self.send_error(404)
            return
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *a):
        pass


srv = http.server.HTTPServer((sys.argv[1], int(sys.argv[2])), H)
open(sys.argv[4], "w").write("ready\n")
srv.serve_forever()
