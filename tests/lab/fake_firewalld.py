#!/usr/bin/python3
"""A stand-in for firewalld on a private D-Bus, for tests/lab/test_firewalld.sh.

It answers the read methods homeexpose uses (firewalld.dbus(5), the same
names and signatures as firewalld's src/firewall/server/*.py):
  /org/fedoraproject/FirewallD1  org.fedoraproject.FirewallD1.getDefaultZone() -> s
                                 org.fedoraproject.FirewallD1.zone.getServices(s) -> as
  /org/fedoraproject/FirewallD1/config  ...config.getServiceNames() -> as
                                        ...config.getServiceByName(s) -> o
                                        ...config.getZoneByName(s) -> o
  .../config/zone/0     ...config.zone.getServices() -> as
  .../config/service/N  ...config.service.getPorts() -> a(ss)
Its state is a JSON file (STATE) that the fake firewall-cmd (argv mode
"cmd") changes, as firewall-cmd would through the real daemon:
  {"services": {NAME: {"ports": [[PORT, PROTO], ...]}}, "zone": [NAMES],
   "runtime": [NAMES]}
usage: fake_firewalld.py daemon STATE | fake_firewalld.py cmd STATE LOG ARGS...
"""
import json
import sys

PATH = "/org/fedoraproject/FirewallD1"
NAME = "org.fedoraproject.FirewallD1"


def load(state):
    with open(state) as f:
        return json.load(f)


def daemon(state):
    import dbus
    import dbus.service
    from dbus.mainloop.glib import DBusGMainLoop
    from gi.repository import GLib

    DBusGMainLoop(set_as_default=True)
    bus = dbus.SystemBus()
    name = dbus.service.BusName(NAME, bus)

    class Main(dbus.service.Object):
        @dbus.service.method(NAME, in_signature="", out_signature="s")
        def getDefaultZone(self):
            return "public"

        @dbus.service.method(NAME + ".zone", in_signature="s", out_signature="as")
        def getServices(self, zone):
            if zone != "public":
                raise dbus.exceptions.DBusException("INVALID_ZONE: " + zone)
            return load(state)["runtime"]

    class Config(dbus.service.Object):
        @dbus.service.method(NAME + ".config", in_signature="", out_signature="as")
        def getServiceNames(self):
            return ["ssh", "http"] + sorted(load(state)["services"])

        @dbus.service.method(NAME + ".config", in_signature="s", out_signature="o")
        def getServiceByName(self, service):
            names = sorted(load(state)["services"])
            if service not in names:
                raise dbus.exceptions.DBusException("INVALID_SERVICE: " + service)
            return dbus.ObjectPath("%s/config/service/%d" % (PATH, names.index(service)))

        @dbus.service.method(NAME + ".config", in_signature="s", out_signature="o")
        def getZoneByName(self, zone):
            if zone != "public":
                raise dbus.exceptions.DBusException("INVALID_ZONE: " + zone)
            return dbus.ObjectPath(PATH + "/config/zone/0")

    class Zone(dbus.service.Object):
        @dbus.service.method(NAME + ".config.zone", in_signature="", out_signature="as")
        def getServices(self):
            return load(state)["zone"]

    class Service(dbus.service.Object):
        def __init__(self, bus, path, i):
            super().__init__(bus, path)
            self.i = i

        @dbus.service.method(NAME + ".config.service", in_signature="",
                             out_signature="a(ss)")
        def getPorts(self):
            names = sorted(load(state)["services"])
            svc = load(state)["services"][names[self.i]]
            return [dbus.Struct((p, proto), signature="ss") for p, proto in svc["ports"]]

    Main(bus, PATH)
    Config(bus, PATH + "/config")
    Zone(bus, PATH + "/config/zone/0")
    services = [Service(bus, "%s/config/service/%d" % (PATH, i), i) for i in range(64)]
    assert name and services
    print("ready", flush=True)
    GLib.MainLoop().run()


def cmd(state, log, args):
    """firewall-cmd --permanent ... and --reload, on the state file."""
    with open(log, "a") as f:
        f.write("firewall-cmd " + " ".join(args) + "\n")
    s = load(state)
    svc = None
    for a in args:
        if a.startswith("--service="):
            svc = a.split("=", 1)[1]
    for a in args:
        k, _, v = a.partition("=")
        if k == "--new-service":
            s["services"][v] = {"ports": []}
        elif k == "--delete-service":
            del s["services"][v]
        elif k == "--add-port":
            port, proto = v.split("/")
            s["services"][svc]["ports"].append([port, proto])
        elif k == "--remove-port":
            port, proto = v.split("/")
            s["services"][svc]["ports"].remove([port, proto])
        elif k == "--add-service":
            s["zone"].append(v)
        elif k == "--remove-service":
            s["zone"].remove(v)
        elif k == "--reload":
            s["runtime"] = list(s["zone"])
    with open(state, "w") as f:
        json.dump(s, f)
    print("success")


if sys.argv[1] == "daemon":
    daemon(sys.argv[2])
else:
    cmd(sys.argv[2], sys.argv[3], sys.argv[4:])
