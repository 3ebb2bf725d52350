#!/usr/bin/env bash
# A private S3-compatible server for the artifact tests: moto_server (Tests/requirements.txt) with SigV4 signature
# checking on. moto checks signatures only after INITIAL_NO_AUTH_ACTION_COUNT unauthenticated calls; this script spends
# those 3 calls on an IAM user, an inline allow-all policy and an access key, then creates the bucket with that key.
#
#   scripts/test-s3.sh start   start moto on 127.0.0.1:$STOCKCAST_TEST_S3_PORT (default 5435), write the environment
#                              the tests read (STOCKCAST_TEST_S3_ENDPOINT/_BUCKET/_ACCESS_KEY_ID/_SECRET_ACCESS_KEY)
#   scripts/test-s3.sh env     print that environment as `export` lines
#   scripts/test-s3.sh stop    stop the server
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${STOCKCAST_TEST_S3_PORT:-5435}"
DIR="${TMPDIR:-/tmp}/stockcast-test-s3-$PORT"

start() {
    stop
    mkdir -p "$DIR"
    command -v moto_server >/dev/null || { echo "test-s3: moto_server not found (pip install -r Tests/requirements.txt)" >&2; exit 1; }
    INITIAL_NO_AUTH_ACTION_COUNT=3 nohup moto_server -H 127.0.0.1 -p "$PORT" > "$DIR/moto.log" 2>&1 &
    echo $! > "$DIR/pid"
    python3 - "$PORT" "$DIR/env" <<'PY'
import socket, sys, time, json
import boto3
port, out = int(sys.argv[1]), sys.argv[2]
endpoint = f"http://127.0.0.1:{port}"
for _ in range(100):  # a TCP connect does not count as one of moto's unauthenticated calls
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit("test-s3: moto_server did not start")
setup = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="setup", aws_secret_access_key="setup")
iam = boto3.client("iam", **setup)
iam.create_user(UserName="stockcast")
iam.put_user_policy(UserName="stockcast", PolicyName="all", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
key = iam.create_access_key(UserName="stockcast")["AccessKey"]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                  aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
s3.create_bucket(Bucket="stockcast-test")
with open(out, "w") as f:
    f.write(f"export STOCKCAST_TEST_S3_ENDPOINT={endpoint}\n")
    f.write("export STOCKCAST_TEST_S3_BUCKET=stockcast-test\n")
    f.write(f"export STOCKCAST_TEST_S3_ACCESS_KEY_ID={key['AccessKeyId']}\n")
    f.write(f"export STOCKCAST_TEST_S3_SECRET_ACCESS_KEY={key['SecretAccessKey']}\n")
PY
}

stop() {
    if [ -f "$DIR/pid" ]; then
        kill "$(cat "$DIR/pid")" 2>/dev/null || true
        rm -f "$DIR/pid" "$DIR/env"
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    env) cat "$DIR/env" ;;
    *) echo "usage: $0 start|env|stop" >&2; exit 2 ;;
esac
