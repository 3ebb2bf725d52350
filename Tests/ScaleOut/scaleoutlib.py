"""Pieces of a several-instance system on one machine, shared by the scale-out stage (Tests/ScaleOut/scale_out.py) and
the scale benchmark (bench/scale_bench.py): moto_server with SigV4 checking for the artifacts, and Debian's nginx with
deploy/nginx/stockcast.conf in front of loopback instances."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Faults"))
from faultlib import free_port, http, wait_until, _processes  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def start_moto(scratch):
    """moto_server on a free port (scripts/test-s3.sh); returns its script environment and the instances' settings."""
    port = free_port()
    env = {**os.environ, "STOCKCAST_TEST_S3_PORT": str(port), "TMPDIR": scratch}
    subprocess.run([os.path.join(ROOT, "scripts", "test-s3.sh"), "start"], check=True, env=env, timeout=120)
    exported = subprocess.run([os.path.join(ROOT, "scripts", "test-s3.sh"), "env"], check=True, env=env, capture_output=True, text=True).stdout
    values = dict(re.findall(r"export (\w+)=(\S+)", exported))
    return env, {
        "STOCKCAST_ARTIFACTS_S3_ENDPOINT": values["STOCKCAST_TEST_S3_ENDPOINT"],
        "STOCKCAST_ARTIFACTS_S3_BUCKET": values["STOCKCAST_TEST_S3_BUCKET"],
        "AWS_ACCESS_KEY_ID": values["STOCKCAST_TEST_S3_ACCESS_KEY_ID"],
        "AWS_SECRET_ACCESS_KEY": values["STOCKCAST_TEST_S3_SECRET_ACCESS_KEY"],
    }


def start_nginx(scratch, listen, upstreams):
    """deploy/nginx/stockcast.conf with loopback upstreams and listen port, in a private prefix."""
    conf = open(os.path.join(ROOT, "deploy", "nginx", "stockcast.conf")).read()
    servers = "".join(f"    server 127.0.0.1:{port} max_fails=3 fail_timeout=10s;\n" for port in upstreams)
    conf = re.sub(r"(upstream stockcast_api \{\n)(?:.*\n)*?(    keepalive)", lambda m: m.group(1) + servers + m.group(2), conf)
    conf = conf.replace("listen 80;", f"listen 127.0.0.1:{listen};")
    prefix = os.path.join(scratch, "nginx")
    os.makedirs(prefix, exist_ok=True)
    with open(os.path.join(prefix, "nginx.conf"), "w") as handle:
        handle.write(f"""worker_processes 1;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/body; proxy_temp_path {prefix}/proxy; fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi; scgi_temp_path {prefix}/scgi;
{conf}
}}
""")
    process = subprocess.Popen(["nginx", "-p", prefix, "-c", os.path.join(prefix, "nginx.conf"), "-g", f"daemon off; pid {prefix}/nginx.pid;"],
                               stdout=subprocess.DEVNULL, stderr=open(os.path.join(prefix, "stderr.log"), "w"))
    _processes.append(process)
    wait_until(lambda: http(listen, "GET", "/health", timeout=2).status == 200, 30, "nginx")
    return process



def moto_pid(moto_env):
    """The process id of the moto_server that start_moto started (scripts/test-s3.sh keeps it in its directory)."""
    folder = os.path.join(moto_env["TMPDIR"], f"stockcast-test-s3-{moto_env['STOCKCAST_TEST_S3_PORT']}")
    return int(open(os.path.join(folder, "pid")).read())


def stop_moto(moto_env):
    subprocess.run([os.path.join(ROOT, "scripts", "test-s3.sh"), "stop"], env=moto_env, timeout=30)


def start_kafka_mock(binary, scratch):
    """`stockcast kafka-mock` (librdkafka's mock cluster in its own process); returns its bootstrap servers."""
    bootstrap_file = os.path.join(scratch, "bootstrap")
    mock = subprocess.Popen([binary, "kafka-mock", "--bootstrap-file", bootstrap_file], stdout=open(os.path.join(scratch, "mock.log"), "w"),
                            stderr=subprocess.STDOUT, cwd=ROOT, env={**os.environ, "SWIFT_BACKTRACE": "enable=no"})
    _processes.append(mock)
    wait_until(lambda: os.path.exists(bootstrap_file) and open(bootstrap_file).read().strip(), 30, "the Kafka mock cluster")
    return open(bootstrap_file).read().strip()
