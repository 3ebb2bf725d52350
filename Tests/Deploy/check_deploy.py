#!/usr/bin/env python3
"""Structure of deploy/ (no Docker engine runs here): every file compose mounts or builds from exists; every
STOCKCAST_* variable in compose and the systemd unit is a real configuration key (Config/default.json, or one of the
short aliases); nginx's upstream lists exactly the instances with the api role on the port they listen on, its body
limit matches api.max_upload_bytes and its WebSocket timeout exceeds websocket.ping_seconds; Prometheus scrapes every
instance directly on that port; the published ports agree with nginx's listen port. Exit 1 on the first list of
problems. Needs PyYAML (Tests/requirements.txt)."""
import json
import os
import re
import sys

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEPLOY = os.path.join(ROOT, "deploy")
ALIASES = {"STOCKCAST_HOST", "STOCKCAST_PORT", "STOCKCAST_DATA_DIR", "STOCKCAST_POSTGRES_URL", "STOCKCAST_CONFIG"}
problems = []


def flatten(node, prefix=""):
    for name, value in node.items():
        if name.startswith("_") or name.startswith("//"):
            continue
        key = f"{prefix}.{name}" if prefix else name
        if isinstance(value, dict):
            yield from flatten(value, key)
        else:
            yield key, value


defaults = dict(flatten(json.load(open(os.path.join(ROOT, "Config", "default.json")))))
known = {"STOCKCAST_" + key.upper().replace(".", "_") for key in defaults} | ALIASES


def check_variables(names, where):
    for name in names:
        if name.startswith("STOCKCAST_") and name not in known:
            problems.append(f"{where}: {name} is not a configuration key")


compose = yaml.safe_load(open(os.path.join(DEPLOY, "compose.yaml")))
services = compose["services"]
instances = {}  # name -> (port, roles)
for name, service in services.items():
    for volume in service.get("volumes", []):
        source = volume.split(":")[0]
        if source.startswith("."):
            path = os.path.normpath(os.path.join(DEPLOY, source))
            if not os.path.exists(path):
                problems.append(f"compose {name}: mounts {source}, which does not exist ({path})")
    build = service.get("build")
    if build:
        context = os.path.normpath(os.path.join(DEPLOY, build["context"]))
        if not os.path.isfile(os.path.join(context, build["dockerfile"])):
            problems.append(f"compose {name}: build file {build['dockerfile']} not found in {context}")
    environment = service.get("environment", {})
    if service.get("image", "").startswith("stockcast"):
        # Other images (Grafana reads the monitor/ provisioning's STOCKCAST_PROMETHEUS_URL) have their own variables.
        check_variables(environment, f"compose {name}")
        port = int(environment.get("STOCKCAST_HTTP_PORT", defaults["http.port"]))
        roles = set(str(environment.get("STOCKCAST_INSTANCE_ROLES", defaults["instance.roles"])).split(","))
        instances[name] = (port, roles)
if not instances:
    problems.append("compose: no stockcast instance")

unit = open(os.path.join(DEPLOY, "systemd", "stockcast.service")).read()
check_variables(re.findall(r"^Environment=(STOCKCAST_[A-Z0-9_]+)=", unit, re.M), "systemd unit")
dockerfile = open(os.path.join(DEPLOY, "Dockerfile")).read()
check_variables(re.findall(r"(STOCKCAST_[A-Z0-9_]+)=", dockerfile), "Dockerfile")

nginx = open(os.path.join(DEPLOY, "nginx", "stockcast.conf")).read()
upstream = re.findall(r"^\s*server\s+([\w.-]+):(\d+)", nginx, re.M)
api_instances = {name for name, (_, roles) in instances.items() if "api" in roles}
if {host for host, _ in upstream} != api_instances:
    problems.append(f"nginx upstream {sorted(h for h, _ in upstream)} is not the api instances {sorted(api_instances)}")
for host, port in upstream:
    if host in instances and int(port) != instances[host][0]:
        problems.append(f"nginx upstream {host}:{port}, but {host} listens on {instances[host][0]}")
body = re.search(r"client_max_body_size\s+(\d+)([kmg]?);", nginx)
units = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
if not body or int(body.group(1)) * units[body.group(2)] != int(defaults["api.max_upload_bytes"]):
    problems.append(f"nginx client_max_body_size does not match api.max_upload_bytes ({defaults['api.max_upload_bytes']})")
websocket = re.search(r"location /ws/ \{(.*?)\}", nginx, re.S)
timeout = re.search(r"proxy_read_timeout\s+(\d+)s;", websocket.group(1)) if websocket else None
if not timeout or int(timeout.group(1)) <= int(defaults["websocket.ping_seconds"]):
    problems.append("nginx /ws/ proxy_read_timeout must exceed websocket.ping_seconds")
if "Upgrade $http_upgrade" not in (websocket.group(1) if websocket else ""):
    problems.append("nginx /ws/ does not pass the WebSocket upgrade")
listen = re.search(r"^\s*listen\s+(\d+);", nginx, re.M)
published = [p.split(":") for p in services.get("nginx", {}).get("ports", [])]
if not listen or not any(len(p) == 2 and p[1] == listen.group(1) for p in published):
    problems.append(f"compose nginx ports {published} do not publish nginx's listen port")

prometheus = yaml.safe_load(open(os.path.join(DEPLOY, "prometheus", "prometheus.yml")))
targets = [t for job in prometheus["scrape_configs"] for group in job["static_configs"] for t in group["targets"]]
scraped = {}
for target in targets:
    host, port = target.rsplit(":", 1)
    scraped[host] = int(port)
    if host not in instances:
        problems.append(f"prometheus scrapes {target}, which is no stockcast instance")
    elif int(port) != instances[host][0]:
        problems.append(f"prometheus scrapes {target}, but {host} listens on {instances[host][0]}")
for name in instances:
    if name not in scraped:
        problems.append(f"prometheus does not scrape {name}")
for rule_file in prometheus.get("rule_files", []):
    mounted = any(v.endswith(f"/{rule_file}:ro") or v.endswith(f"/{rule_file}") for v in services["prometheus"]["volumes"])
    if not mounted:
        problems.append(f"prometheus rule file {rule_file} is not mounted")

if problems:
    print("deploy/ check failed:")
    for problem in problems:
        print(f"  - {problem}")
    sys.exit(1)
print(f"deploy/ ok: {len(services)} compose services, {len(instances)} stockcast instances "
      f"({', '.join(f'{n} {sorted(r)}' for n, (_, r) in instances.items())}), {len(upstream)} nginx upstreams, {len(targets)} scrape targets")
