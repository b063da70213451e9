#!/usr/bin/env python3
"""Reads one pair's reports and prints the comparison row as JSON.

usage: compare.py verify ASSAY_JSON DIFFOSCOPE_JSON     (assay verify-build -f json, diffoscope --json)
       compare.py diff   ASSAY_JSON DIFFOSCOPE_JSON     (assay diff -f json)

"Named" files are in-tree paths without a leading "./" or "/". Diffoscope names a file when a member
node carries it (content or metadata differs) or when its line in the archive listing ("file list")
was added or removed or changed (mode, owner, mtime, size). Standard library only.
"""
import json
import re
import sys


def norm(path: str) -> str:
    path = path.strip()
    while path.startswith("./"):
        path = path[2:]
    return path.lstrip("/").rstrip("/")


def is_member(name: str) -> bool:
    return bool(name) and name != "file list" and " " not in name and "{" not in name


def diffoscope_files(doc: dict) -> tuple[set[str], set[str]]:
    """(members with a node of their own, paths named only by the archive listing)."""
    members: set[str] = set()
    listed: set[str] = set()

    def walk(node: dict, depth: int) -> None:
        for child in node.get("details", []):
            name = child.get("source1") or ""
            if name == "file list" or name.startswith("zipinfo"):
                for line in (child.get("unified_diff") or "").splitlines():
                    if line[:1] in "+-" and not line.startswith(("+++", "---")):
                        words = line[1:].split()
                        if words:
                            # tar -tv style: the path is the last word (symlinks: "name -> target")
                            if "->" in words:
                                words = words[: words.index("->")]
                            # zipinfo: only member lines (a file or link mode first), not its totals
                            if name == "file list" or re.match(r"^[-l][rwxsStT-]{9}$", words[0]):
                                listed.add(norm(words[-1]))
            elif is_member(name) and (name.startswith("./") or "/" in name) and depth >= 1:
                members.add(norm(name))
            elif is_member(name):
                walk(child, depth + 1)  # a decompressed layer (delivered.tar inside delivered.tar.gz)

    walk(doc, 0)
    listed -= {""}
    return members, listed


def outer(path: str) -> str:
    """A part inside a file (a FIT image's kernel-1) is named by the file that holds it."""
    return path.split("!/", 1)[0]


def assay_verify(doc: dict) -> set[str]:
    return {norm(outer(f["path"])) for f in doc["files"] if f["status"] not in ("identical", "normalised") and f.get("kind", "file") != "dir"} - {""}


def assay_diff(doc: dict) -> set[str]:
    files = doc["files"]
    named = {norm(f["path"]) for key in ("added", "removed") for f in files[key] if f.get("kind") != "dir"}
    named |= {norm(f["path"]) for f in files["changed"] if f.get("kind") != "dir"}
    return named


def main() -> int:
    mode, assay_path, diffoscope_path = sys.argv[1:4]
    assay = json.load(open(assay_path))
    try:
        members, listed = diffoscope_files(json.load(open(diffoscope_path)))
    except (OSError, ValueError):  # identical inputs: diffoscope writes no document
        members, listed = set(), set()
    ours = assay_verify(assay) if mode == "verify" else assay_diff(assay)
    theirs = members | listed
    # a directory named in diffoscope's listing (mode/mtime) is not a file Assay lists here
    theirs = {p for p in theirs if not any(o.startswith(p + "/") for o in ours | theirs) or p in ours}
    row = {
        "assay": sorted(ours),
        "diffoscope": sorted(theirs),
        "onlyAssay": sorted(ours - theirs),
        "onlyDiffoscope": sorted(theirs - ours),
    }
    if mode == "verify":
        row["verdict"] = assay["verdict"]
        row["unexplainedBytes"] = assay["unexplainedBytes"]
    json.dump(row, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
