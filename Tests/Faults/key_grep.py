#!/usr/bin/env python3
"""Finds complete StockCast API keys (`sck_` + 64 hex digits) in log files. A key must never reach a log: the server
logs only a key's prefix (`key_prefix=sck_1a2b3c4d`), and admin.key files are never echoed.

Module use (other stages call it on their own logs):

    import key_grep
    hits = key_grep.scan(["/tmp/scratch"])     # [Hit(path, line, redacted)]; directories are searched recursively
    key_grep.report(hits)                      # prints one line per hit, never the key itself; True when clean

CLI: python3 Tests/Faults/key_grep.py [--exact] LOGDIR_OR_FILE...   exit 0 when no key was found, 1 when one was (each named
by file and line), 2 on usage errors. Directories are searched recursively, every regular file whatever its name
(logs, captured stdout, data directories: a key must not be stored in clear anywhere but its admin.key file); files
named admin.key are skipped, symlinks are not followed. --exact ignores `sck_` + 64 hex inside a longer hex run
(binary files such as stockcast.sqlite hold a key's prefix right before its hash). Pass log directories, not a browser profile (the web UI keeps
its key in localStorage)."""

import collections
import os
import re
import sys

KEY_PATTERN = re.compile(rb"sck_[0-9a-f]{64}")
# For binary files (databases): exactly 64 hex digits, not part of a longer hex run. SQLite stores a key's 12-character
# prefix column right before its 64-hex SHA-256 column, and `sck_1a2b3c4d` + hash would otherwise look like a key.
EXACT_PATTERN = re.compile(rb"(?<![0-9A-Za-z_])sck_[0-9a-f]{64}(?![0-9a-f])")
Hit = collections.namedtuple("Hit", "path line redacted")
# Files that legitimately hold a key and are not logs.
SKIPPED_NAMES = {"admin.key"}


def redact(key: bytes) -> str:
    """`sck_1a2b3c4d…(68 chars)`: enough to tell which key leaked, not enough to use it."""
    text = key.decode("ascii", "replace")
    return f"{text[:12]}…({len(text)} chars)"


def files_under(paths):
    """Every file to scan: files given explicitly, every regular file under given directories (recursively), except
    admin.key files."""
    for path in paths:
        if os.path.isdir(path):
            for directory, subdirectories, names in os.walk(path):
                subdirectories.sort()
                for name in sorted(names):
                    full = os.path.join(directory, name)
                    if name not in SKIPPED_NAMES and os.path.isfile(full) and not os.path.islink(full):
                        yield full
        elif os.path.isfile(path):
            if os.path.basename(path) not in SKIPPED_NAMES:
                yield path
        else:
            raise FileNotFoundError(f"no such file or directory: {path}")


def scan_file(path, exact=False):
    hits = []
    pattern = EXACT_PATTERN if exact else KEY_PATTERN
    try:
        with open(path, "rb") as handle:
            for number, line in enumerate(handle, 1):
                for match in pattern.finditer(line):
                    hits.append(Hit(path, number, redact(match.group(0))))
    except PermissionError as error:
        raise PermissionError(f"cannot read {path}: {error}") from error
    return hits


def scan(paths, exact=False):
    """All hits in `paths` (files or directories), in file order. `exact`: only keys not inside a longer hex run
    (use it for databases and other binary files)."""
    hits = []
    for path in files_under(paths):
        hits.extend(scan_file(path, exact))
    return hits


def report(hits, out=sys.stdout):
    """Prints each hit (file:line and a redacted key); returns True when there were none."""
    for hit in hits:
        print(f"key_grep: complete API key {hit.redacted} in {hit.path}:{hit.line}", file=out, flush=True)
    return not hits


def main(argv):
    exact = "--exact" in argv
    argv = [arg for arg in argv if arg != "--exact"]
    if not argv or any(arg in ("-h", "--help") for arg in argv):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        files = list(files_under(argv))
        hits = []
        for path in files:
            hits.extend(scan_file(path, exact))
    except (FileNotFoundError, PermissionError) as error:
        print(f"key_grep: {error}", file=sys.stderr)
        return 2
    if report(hits):
        print(f"key_grep: no API key in {len(files)} file(s)")
        return 0
    print(f"key_grep: {len(hits)} complete API key(s) found in logs")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
