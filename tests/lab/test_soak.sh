#!/bin/bash
# The soak (tests/lab/soak.sh) for 60 s in `make check`: 30 s on the full lab
# (PCP/NAT-PMP and UPnP) and 30 s on the UPnP-only lab, each with the
# faults that recover within seconds (router restart, WAN address change,
# nft flush and reload of the host's rules, SIGKILL mid-pass, SIGHUP with a
# broken then a fixed config, control-socket and reflector floods). The DDNS
# server faults (5xx, timeout, refusal) are left to `make soak`: a failed
# update backs off 30..60 s, longer than this run. Quiet periods of 3..6 s.
# Ends with soak.sh's "# N passed, N failed" line.
export SOAK_SECONDS=${SOAK_SECONDS:-60}
export SOAK_QUIET_MIN=3 SOAK_QUIET_MAX=6
export SOAK_FAULTS="router_restart wan_change nft_flush agent_kill sighup_broken ctl_flood reflector_flood"
exec bash "$(dirname "$0")/soak.sh"
