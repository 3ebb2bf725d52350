#!/usr/bin/env bash
# Creates (once) the Python virtual environment the integration tests use and installs their PyPI packages into it.
# Usage: scripts/python-env.sh DIR REQUIREMENTS_FILE. Re-running is cheap: pip is called only when the requirements
# file changed since the last install.
set -euo pipefail
dir="$1"
requirements="$2"
if [ ! -x "$dir/bin/python3" ]; then
  python3 -m venv "$dir"
fi
stamp="$dir/.requirements.sha256"
want="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "python-env: installing $(grep -v '^#' "$requirements" | tr '\n' ' ')into $dir"
  "$dir/bin/python3" -m pip install --quiet --disable-pip-version-check -r "$requirements"
  echo "$want" > "$stamp"
fi
