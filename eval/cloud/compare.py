#!/usr/bin/env python3
"""Compares the tree Assay reports below one virtual path of an evaluation with a reference
folder made by the real tools (umoci unpack, debugfs rdump). Paths, kinds, regular files'
SHA-256 and symlink targets must agree. Prints the counts and the first differences; exit 1
on any difference.

usage: compare.py EVALUATION.json PREFIX REFERENCE_DIR [--label NAME] [--layer-check]
"""
import argparse, hashlib, json, os, stat, sys

def reference(root):
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root)
            st = os.lstat(full)
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("symlink", os.readlink(full))
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("dir", None)
            elif stat.S_ISREG(st.st_mode):
                h = hashlib.sha256()
                with open(full, "rb") as f:
                    for chunk in iter(lambda: f.read(1 << 20), b""):
                        h.update(chunk)
                out[rel] = ("file", h.hexdigest())
            elif stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
                out[rel] = ("device", None)
            elif stat.S_ISFIFO(st.st_mode):
                out[rel] = ("fifo", None)
            else:
                out[rel] = ("socket", None)
    return out

def assay(evaluation, prefix):
    out, layers = {}, {}
    for f in evaluation["files"]:
        p = f["path"]
        if not p.startswith(prefix):
            continue
        rel = p[len(prefix):]
        if not rel or "!/" in rel:
            continue
        kind = f["kind"]
        if kind == "hardlink":
            kind, value = "file", None   # a hard link is a regular file on disk; its content is its target's
        elif kind == "file":
            value = f.get("sha256")
        elif kind == "symlink":
            value = f.get("target")
        else:
            value = None
        out[rel] = (kind, value)
        layers[rel] = f.get("layer")
    return out, layers

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("evaluation"); ap.add_argument("prefix"); ap.add_argument("reference")
    ap.add_argument("--label", default="")
    ap.add_argument("--layer-check", action="store_true", help="every entry must name the layer that added it")
    a = ap.parse_args()
    with open(a.evaluation) as f:
        ev = json.load(f)
    mine, layers = assay(ev, a.prefix)
    ref = reference(a.reference)
    only_ref = sorted(set(ref) - set(mine))
    only_mine = sorted(set(mine) - set(ref))
    differ = sorted(p for p in set(ref) & set(mine)
                    if ref[p][0] != mine[p][0] or (ref[p][1] is not None and mine[p][1] is not None and ref[p][1] != mine[p][1]))
    unattributed = sorted(p for p in mine if a.layer_check and not layers.get(p))
    common = len(set(ref) & set(mine))
    recall = common / len(ref) if ref else 1.0
    precision = common / len(mine) if mine else 1.0
    print(f"{a.label}: reference {len(ref)} entries, assay {len(mine)}; recall {recall:.4f}, precision {precision:.4f}; "
          f"{len(differ)} differ in kind/content, {len(unattributed)} without a layer")
    for title, items in (("only in reference", only_ref), ("only in assay", only_mine), ("differ", differ), ("no layer", unattributed)):
        for p in items[:10]:
            print(f"  {title}: {p} {ref.get(p, '')} {mine.get(p, '')}")
    errors = [e for e in ev.get("errors", []) if e["path"].startswith(a.prefix.rstrip("/").rsplit("!/", 1)[0])]
    internal = [e for e in errors if e.get("category") == "internal"]
    for e in internal[:5]:
        print(f"  internal error: {e['path']}: {e['message']}")
    sys.exit(1 if only_ref or only_mine or differ or unattributed or internal else 0)

if __name__ == "__main__":
    main()
