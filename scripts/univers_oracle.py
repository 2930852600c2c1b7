#!/usr/bin/env python3
"""Version-ordering oracle for crates/medsec-match/tests/oracle.rs.

Reads lines `SCHEME<TAB>A<TAB>B` on stdin and prints, per line, `-1`, `0` or `1`
(A < B, A == B, A > B) as the PyPI package `univers` (pinned in
scripts/oracle-requirements.txt) orders them, or `ERR<TAB>message` when univers refuses
one of the versions. SCHEME is medsec's scheme name: semver, npm, pep440, maven, nuget,
golang, cargo, deb, rpm, apk.
"""
import sys

from univers import versions as uv

CLASSES = {
    "semver": uv.SemverVersion,
    "npm": uv.SemverVersion,
    "cargo": uv.SemverVersion,
    "golang": uv.GolangVersion,
    "pep440": uv.PypiVersion,
    "maven": uv.MavenVersion,
    "nuget": uv.NugetVersion,
    "deb": uv.DebianVersion,
    "rpm": uv.RpmVersion,
    "apk": uv.AlpineLinuxVersion,
}


def compare(scheme, a, b):
    cls = CLASSES[scheme]
    x, y = cls(a), cls(b)
    if x < y:
        return -1
    if y < x:
        return 1
    return 0


def main():
    out = sys.stdout
    for line in sys.stdin:
        line = line.rstrip("\n")
        if not line:
            continue
        try:
            scheme, a, b = line.split("\t")
            out.write("%d\n" % compare(scheme, a, b))
        except Exception as e:  # report every refusal; the test decides what it means
            out.write("ERR\t%s\n" % str(e).replace("\n", " ").replace("\t", " "))
    out.flush()


if __name__ == "__main__":
    main()
