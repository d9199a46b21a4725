#!/usr/bin/env python3
"""Lab contract server for the multi-step DNS provider APIs (test_ddns_api.sh).

  ddns_api_server.py --cert C --key K --port P --dir D

One HTTPS server plays six providers, each under its own path prefix, each
for the zone example.com, written from the providers' API documentation:

  /porkbun/api/json/v3/...          Porkbun API v3 (keys in the JSON body)
  /hetzner/api/v1/...               Hetzner DNS API v1 (Auth-API-Token)
  /gandi/v5/livedns/...             Gandi LiveDNS v5 (bearer token)
  /godaddy/v1/...                   GoDaddy Domains API v1 (sso-key KEY:SECRET)
  /route53/2013-04-01/...           Route 53, every request's Signature V4 checked
                                    here with Python's hmac (AKIDLAB / r53-lab-secret)
  /netcup/endpoint.php              netcup CCP DNS API (login, session, logout)

D/PROVIDER.json holds that provider's records, a list of {id, type, name (the
full name), content, ttl, note}, written back after each change; a write
request replaces only what the real API replaces (Hetzner's and Gandi's PUT
drop a TTL left out, GoDaddy's PUT too), so a client that sends more than the
address, or forgets the TTL, shows in the file. Every request is appended to
D/requests.log as one JSON line {provider, method, path, query, auth_ok, body}.
"""
import argparse
import datetime
import hashlib
import hmac
import json
import os
import ssl
import sys
import urllib.parse
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ZONE = "example.com"
CRED = {
    "porkbun": ("pk1_lab", "sk1_lab"),
    "hetzner": "hz-lab-token",
    "gandi": "gandi-lab-pat",
    "godaddy": "gdkey:gdsecret",
    "route53": ("AKIDLAB", "r53-lab-secret"),
    "netcup": ("12345", "nckey", "ncpass"),
}
SESSION = "bGFiLXNlc3Npb24tMQ"
R53NS = "https://route53.amazonaws.com/doc/2013-04-01/"


def load(prov):
    try:
        with open(os.path.join(A.dir, prov + ".json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return []


def save(prov, recs):
    path = os.path.join(A.dir, prov + ".json")
    with open(path + ".tmp", "w") as f:
        json.dump(recs, f, indent=1)
    os.replace(path + ".tmp", path)


def fqdn(rel):
    return ZONE if rel in ("", "@") else rel + "." + ZONE


def rel(name):
    return "@" if name == ZONE else name[: -len(ZONE) - 1]


def new_id(recs):
    return str(1000 + len(recs) + 1)


def find(recs, name, typ):
    return [r for r in recs if r["name"] == name and r["type"] == typ]


def sigv4_ok(method, path, query, headers, body):
    """Recompute the Authorization header's signature the way AWS documents it."""
    auth = headers.get("Authorization", "")
    date = headers.get("X-Amz-Date", "")
    akid, secret = CRED["route53"]
    if not auth.startswith("AWS4-HMAC-SHA256 Credential=%s/%s/us-east-1/route53/aws4_request, "
                           "SignedHeaders=host;x-amz-date, Signature=" % (akid, date[:8])):
        return False
    pairs = sorted(urllib.parse.parse_qsl(query, keep_blank_values=True))
    cq = "&".join("%s=%s" % (urllib.parse.quote(k, safe="-_.~"), urllib.parse.quote(v, safe="-_.~"))
                  for k, v in pairs)
    canon = "\n".join([method, path, cq, "host:" + headers.get("Host", ""), "x-amz-date:" + date,
                       "", "host;x-amz-date", hashlib.sha256(body).hexdigest()])
    scope = "%s/us-east-1/route53/aws4_request" % date[:8]
    to_sign = "\n".join(["AWS4-HMAC-SHA256", date, scope,
                         hashlib.sha256(canon.encode()).hexdigest()])
    k = ("AWS4" + secret).encode()
    for part in (date[:8], "us-east-1", "route53", "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    want = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(auth.rsplit("Signature=", 1)[-1], want)


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("ddns_api_server: " + (fmt % args) + "\n")

    def send(self, status, body, ctype="application/json"):
        data = body if isinstance(body, bytes) else (
            body.encode() if isinstance(body, str) else json.dumps(body).encode())
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        self.raw = self.rfile.read(n) if n else b""
        u = urllib.parse.urlsplit(self.path)
        parts = [p for p in u.path.split("/") if p]
        prov = parts[0] if parts else ""
        handler = getattr(self, "p_" + prov, None)
        self.u, self.q = u, dict(urllib.parse.parse_qsl(u.query))
        if not handler:
            self.log(prov, False)
            return self.send(404, {"message": "no such provider"})
        handler(parts[1:])

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

    def log(self, prov, auth_ok):
        entry = {"provider": prov, "method": self.command, "path": self.u.path,
                 "query": dict(urllib.parse.parse_qsl(self.u.query)), "auth_ok": auth_ok,
                 "body": self.raw.decode(errors="replace")}
        with open(os.path.join(A.dir, "requests.log"), "a") as f:
            f.write(json.dumps(entry) + "\n")

    def body(self):
        try:
            return json.loads(self.raw or b"null")
        except ValueError:
            return None

    # ---- Porkbun API v3: POST /api/json/v3/dns/OP/ZONE[/TYPE[/SUB]]
    def p_porkbun(self, parts):
        b = self.body() or {}
        ok = (b.get("apikey"), b.get("secretapikey")) == CRED["porkbun"]
        self.log("porkbun", ok)
        if not ok:
            return self.send(400, {"status": "ERROR", "message": "Invalid API key. (002)"})
        op, zone, rest = parts[4], parts[5], parts[6:]
        recs = load("porkbun")
        if zone != ZONE:
            return self.send(400, {"status": "ERROR", "message": "Invalid domain."})
        if op == "retrieveByNameType":
            m = find(recs, fqdn(rest[1] if len(rest) > 1 else ""), rest[0])
            return self.send(200, {"status": "SUCCESS", "records": [
                {"id": r["id"], "name": r["name"], "type": r["type"], "content": r["content"],
                 "ttl": str(r["ttl"]), "prio": "0", "notes": r.get("note", "")} for r in m]})
        if op == "editByNameType":
            for r in find(recs, fqdn(rest[1] if len(rest) > 1 else ""), rest[0]):
                r["content"] = b["content"]
                r["ttl"] = int(b.get("ttl", 600))  # left out: the 600 default
            save("porkbun", recs)
            return self.send(200, {"status": "SUCCESS"})
        if op == "create":
            r = {"id": new_id(recs), "type": b["type"], "name": fqdn(b.get("name", "")),
                 "content": b["content"], "ttl": int(b.get("ttl", 600))}
            recs.append(r)
            save("porkbun", recs)
            return self.send(200, {"status": "SUCCESS", "id": int(r["id"])})
        return self.send(400, {"status": "ERROR", "message": "Invalid command."})

    # ---- Hetzner DNS API v1
    def p_hetzner(self, parts):
        ok = self.headers.get("Auth-API-Token") == CRED["hetzner"]
        self.log("hetzner", ok)
        if not ok:
            return self.send(401, {"message": "Invalid authentication credentials"})
        parts, recs, b = parts[2:], load("hetzner"), self.body()

        def out(r):
            o = {"id": r["id"], "type": r["type"], "name": rel(r["name"]), "value": r["content"],
                 "zone_id": "ZLABHZ"}
            if "ttl" in r:
                o["ttl"] = r["ttl"]
            return o
        if parts == ["zones"] and self.command == "GET":
            z = [{"id": "ZLABHZ", "name": ZONE}] if self.q.get("name") == ZONE else []
            return self.send(200, {"zones": z, "meta": {}})
        if parts == ["records"] and self.command == "GET":
            return self.send(200, {"records": [out(r) for r in recs]})
        if parts == ["records"] and self.command == "POST":
            r = {"id": new_id(recs), "type": b["type"], "name": fqdn(b["name"]),
                 "content": b["value"]}
            if "ttl" in b:
                r["ttl"] = b["ttl"]
            recs.append(r)
            save("hetzner", recs)
            return self.send(200, {"record": out(r)})
        if len(parts) == 2 and parts[0] == "records" and self.command == "PUT":
            for r in recs:
                if r["id"] == parts[1]:
                    r.update(type=b["type"], name=fqdn(b["name"]), content=b["value"])
                    if "ttl" in b:
                        r["ttl"] = b["ttl"]
                    else:
                        r.pop("ttl", None)  # PUT replaces: no ttl, the zone's
                    save("hetzner", recs)
                    return self.send(200, {"record": out(r)})
            return self.send(404, {"message": "record not found"})
        return self.send(404, {"message": "not found"})

    # ---- Gandi LiveDNS: /v5/livedns/domains/ZONE/records/NAME/TYPE
    def p_gandi(self, parts):
        ok = self.headers.get("Authorization") == "Bearer " + CRED["gandi"]
        self.log("gandi", ok)
        if not ok:
            return self.send(401, {"code": 401, "message": "Unauthorized",
                                   "object": "HTTPUnauthorized", "cause": "Unauthorized"})
        parts, recs, b = parts[2:], load("gandi"), self.body()
        if len(parts) != 5 or parts[0] != "domains" or parts[1] != ZONE:
            return self.send(404, {"code": 404, "message": "Not Found", "cause": "Not Found"})
        name, typ = fqdn(urllib.parse.unquote(parts[3])), parts[4]
        m = find(recs, name, typ)
        if self.command == "GET":
            if not m:
                return self.send(404, {"code": 404, "message": "Can't find the DNS record",
                                       "object": "dns-record", "cause": "Not Found"})
            return self.send(200, {"rrset_name": rel(name), "rrset_type": typ,
                                   "rrset_ttl": m[0]["ttl"], "rrset_values": [m[0]["content"]]})
        if self.command == "POST" and m:
            return self.send(409, {"code": 409, "message": "A DNS Record already exists"})
        if self.command == "POST":
            recs.append({"id": new_id(recs), "type": typ, "name": name,
                         "content": b["rrset_values"][0], "ttl": b.get("rrset_ttl", 10800)})
        elif self.command == "PUT" and m:
            m[0]["content"] = b["rrset_values"][0]
            m[0]["ttl"] = b.get("rrset_ttl", 10800)  # PUT replaces: the 10800 default
        else:
            return self.send(405, {"code": 405, "message": "Method not allowed"})
        save("gandi", recs)
        return self.send(201, {"message": "DNS Record Created"})

    # ---- GoDaddy: /v1/domains/ZONE/records/TYPE/NAME
    def p_godaddy(self, parts):
        ok = self.headers.get("Authorization") == "sso-key " + CRED["godaddy"]
        self.log("godaddy", ok)
        if not ok:
            return self.send(401, {"code": "UNABLE_TO_AUTHENTICATE",
                                   "message": "Unauthorized : Could not authenticate API key/secret"})
        if len(parts) != 6 or parts[2] != ZONE:
            return self.send(404, {"code": "UNKNOWN_DOMAIN", "message": "unknown domain"})
        recs, typ, name = load("godaddy"), parts[4], fqdn(urllib.parse.unquote(parts[5]))
        m = find(recs, name, typ)
        if self.command == "GET":
            return self.send(200, [{"data": r["content"], "name": rel(name), "ttl": r["ttl"],
                                    "type": typ} for r in m])
        if self.command == "PUT":
            b = self.body()
            recs = [r for r in recs if not (r["name"] == name and r["type"] == typ)]
            for i, x in enumerate(b):
                old = m[i] if i < len(m) else {"id": new_id(recs)}
                old.update(type=typ, name=name, content=x["data"], ttl=x.get("ttl", 3600))
                recs.append(old)
            save("godaddy", recs)
            return self.send(200, b"")
        return self.send(405, {"code": "METHOD", "message": "not allowed"})

    # ---- Route 53
    def r53_error(self, status, code, msg):
        body = ('<?xml version="1.0"?>\n<ErrorResponse xmlns="%s"><Error><Type>Sender</Type>'
                '<Code>%s</Code><Message>%s</Message></Error><RequestId>lab</RequestId>'
                '</ErrorResponse>' % (R53NS, code, msg))
        return self.send(status, body, "text/xml")

    def p_route53(self, parts):
        ok = sigv4_ok(self.command, self.u.path, self.u.query, self.headers, self.raw)
        self.log("route53", ok)
        if not ok:
            return self.r53_error(403, "SignatureDoesNotMatch",
                                  "The request signature we calculated does not match")
        parts, recs = parts[1:], load("route53")
        if parts == ["hostedzonesbyname"]:
            z = ("<HostedZones><HostedZone><Id>/hostedzone/ZLAB53</Id><Name>%s.</Name>"
                 "<CallerReference>lab</CallerReference><Config><PrivateZone>false</PrivateZone>"
                 "</Config><ResourceRecordSetCount>%d</ResourceRecordSetCount></HostedZone>"
                 "</HostedZones>" % (ZONE, len(recs))) if self.q.get("dnsname") == ZONE else (
                 "<HostedZones/>")
            return self.send(200, '<?xml version="1.0" encoding="UTF-8"?>\n'
                             '<ListHostedZonesByNameResponse xmlns="%s">%s<DNSName>%s</DNSName>'
                             '<IsTruncated>false</IsTruncated><MaxItems>1</MaxItems>'
                             '</ListHostedZonesByNameResponse>' % (R53NS, z, self.q.get("dnsname")),
                             "text/xml")
        if parts[:2] != ["hostedzone", "ZLAB53"] or len(parts) != 3 or parts[2] != "rrset":
            return self.r53_error(404, "NoSuchHostedZone", "No hosted zone found")
        if self.command == "GET":
            m = find(recs, self.q.get("name", "").rstrip("."), self.q.get("type"))
            sets = "".join(
                "<ResourceRecordSet><Name>%s.</Name><Type>%s</Type><TTL>%d</TTL><ResourceRecords>"
                "<ResourceRecord><Value>%s</Value></ResourceRecord></ResourceRecords>"
                "</ResourceRecordSet>" % (r["name"], r["type"], r["ttl"], r["content"]) for r in m)
            return self.send(200, '<?xml version="1.0" encoding="UTF-8"?>\n'
                             '<ListResourceRecordSetsResponse xmlns="%s"><ResourceRecordSets>%s'
                             '</ResourceRecordSets><IsTruncated>false</IsTruncated>'
                             '<MaxItems>1</MaxItems></ListResourceRecordSetsResponse>' % (R53NS, sets),
                             "text/xml")
        ns = {"r": R53NS}
        try:
            doc = ET.fromstring(self.raw)
        except ET.ParseError:
            return self.r53_error(400, "InvalidInput", "malformed XML")
        for ch in doc.findall(".//r:Change", ns):
            if ch.findtext("r:Action", None, ns) != "UPSERT":
                return self.r53_error(400, "InvalidInput", "only UPSERT here")
            rs = ch.find("r:ResourceRecordSet", ns)
            name = rs.findtext("r:Name", "", ns).rstrip(".")
            typ = rs.findtext("r:Type", "", ns)
            m = find(recs, name, typ)
            r = m[0] if m else {"id": new_id(recs), "type": typ, "name": name}
            r["content"] = rs.findtext(".//r:Value", "", ns)
            r["ttl"] = int(rs.findtext("r:TTL", "0", ns))
            if not m:
                recs.append(r)
        save("route53", recs)
        return self.send(200, '<?xml version="1.0" encoding="UTF-8"?>\n'
                         '<ChangeResourceRecordSetsResponse xmlns="%s"><ChangeInfo>'
                         '<Id>/change/CLAB</Id><Status>PENDING</Status><SubmittedAt>%s</SubmittedAt>'
                         '</ChangeInfo></ChangeResourceRecordSetsResponse>'
                         % (R53NS, datetime.datetime.utcnow().isoformat() + "Z"), "text/xml")

    # ---- netcup CCP DNS API: POST /endpoint.php?JSON {action, param}
    def nc(self, action, status, code, msg, data=""):
        return self.send(200, {"serverrequestid": "lab", "clientrequestid": "", "action": action,
                               "status": status, "statuscode": code, "shortmessage": msg,
                               "longmessage": msg, "responsedata": data})

    def p_netcup(self, parts):
        b = self.body() or {}
        action, p = b.get("action", ""), b.get("param") or {}
        cust, key, pw = CRED["netcup"]
        if action == "login":
            ok = (p.get("customernumber"), p.get("apikey"), p.get("apipassword")) == (cust, key, pw)
        else:
            ok = (p.get("customernumber"), p.get("apikey"), p.get("apisessionid")) == (
                cust, key, SESSION) and "apipassword" not in p
        self.log("netcup", ok)
        if not ok:
            return self.nc(action, "error", 4013, "The login failed. Please check your customer "
                           "number, API key and API password." if action == "login" else
                           "The session id is not in a valid format.")
        if action == "login":
            return self.nc(action, "success", 2000, "Login successful", {"apisessionid": SESSION})
        if action == "logout":
            return self.nc(action, "success", 2000, "Logout successful")
        if p.get("domainname") != ZONE:
            return self.nc(action, "error", 5029, "Domain not found")
        recs = load("netcup")
        if action == "infoDnsRecords":
            return self.nc(action, "success", 2000, "DNS records found", {"dnsrecords": [
                {"id": r["id"], "hostname": rel(r["name"]), "type": r["type"], "priority": "0",
                 "destination": r["content"], "deleterecord": False, "state": "yes"}
                for r in recs]})
        if action == "updateDnsRecords":
            for x in p["dnsrecordset"]["dnsrecords"]:
                m = [r for r in recs if r["id"] == x.get("id")]
                if x.get("id") and not m:
                    return self.nc(action, "error", 5030, "record not found")
                r = m[0] if m else {"id": new_id(recs), "ttl": 86400}
                r.update(type=x["type"], name=fqdn(x["hostname"]), content=x["destination"])
                if not m:
                    recs.append(r)
            save("netcup", recs)
            return self.nc(action, "success", 2000, "DNS records successful updated",
                           {"dnsrecords": []})
        return self.nc(action, "error", 4001, "unknown action")


def main():
    global A
    p = argparse.ArgumentParser()
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--addr", default="::")
    p.add_argument("--port", type=int, default=8443)
    p.add_argument("--dir", required=True)
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
