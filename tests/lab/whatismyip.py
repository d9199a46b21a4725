#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A tiny "what is my IP" HTTP service for the lab's internet host.

usage: whatismyip.py PORT READYFILE
Listens on [::]:PORT (IPv4 too, as ::ffff:a.b.c.d). Paths:
  /        the client's address, newline-terminated (like icanhazip.com)
  /lie     a fixed wrong public address, 11.77.0.99 (a broken check service)
  /big     100 bytes of digits (longer than any address)
  /html    an HTML page
Every request is logged on stdout as "PATH ADDRESS USER-AGENT".
"""
import http.server
import socket
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        client = self.client_address[0]
        if client.startswith("::ffff:"):
            client = client[7:]
        bodies = {
            "/": client + "\n",
            "/lie": "11.77.0.99\n",
            "/big": "1" * 100,
            "/html": "<html><body>Your IP is %s</body></html>" % client,
        }
        body = bodies.get(self.path)
        print(self.path, client, self.headers.get("User-Agent"), flush=True)
        if body is None:
            self.send_error(404)
            return
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class Server(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6

    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()


def main():
    port, ready = int(sys.argv[1]), sys.argv[2]
    srv = Server(("::", port), Handler)
    open(ready, "w").close()
    srv.serve_forever()


if __name__ == "__main__":
    main()
