#!/usr/bin/env python3
"""Scores CVSS vectors with the reference implementation (PyPI package `cvss`, pinned in
scripts/oracle-requirements.txt) for medsec-score's differential test.

Reads one vector per line on stdin; writes one JSON object per line on stdout:
  {"vector": ..., "scores": [base, temporal, environmental] or [score], "severities": [...]}
or {"vector": ..., "error": "..."} if the package rejects the vector.
Version by prefix: CVSS:3.x -> CVSS3, CVSS:4.0 -> CVSS4, otherwise CVSS2.
"""
import json
import sys

from cvss import CVSS2, CVSS3, CVSS4


def score(vector):
    if vector.startswith("CVSS:4.0/"):
        c = CVSS4(vector)
    elif vector.startswith("CVSS:3."):
        c = CVSS3(vector)
    else:
        c = CVSS2(vector)
    return {
        "vector": vector,
        "scores": list(c.scores()),
        "severities": list(c.severities()),
    }


def main():
    out = sys.stdout
    for line in sys.stdin:
        vector = line.strip()
        if not vector:
            continue
        try:
            result = score(vector)
        except Exception as exc:  # the test reports any rejection as a disagreement
            result = {"vector": vector, "error": "{}: {}".format(type(exc).__name__, exc)}
        out.write(json.dumps(result) + "\n")
    out.flush()


if __name__ == "__main__":
    main()
