#!/usr/bin/env python3
"""The house's figures (docs/architecture.md "Measured"): the largest files, files over
1,000 lines, and circles between modules of the storage crate.

A module is a file (or a folder with mod.rs) under crates/storage/src; an edge a -> b is
a `crate::b` (or `super::b` at top level) path in a. Circles are the strongly connected
components with more than one module.

    python3 bench/house.py            # the report
    python3 bench/house.py --check    # exit 1 on a circle or a file over the limit
"""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
LIMIT = 1000


def rust_files():
    for base in ("crates", "src"):
        for d, _, fs in os.walk(os.path.join(ROOT, base)):
            if "/target" in d:
                continue
            for f in fs:
                if f.endswith(".rs"):
                    p = os.path.join(d, f)
                    yield os.path.relpath(p, ROOT)


def lines(p):
    with open(os.path.join(ROOT, p), encoding="utf-8") as fh:
        return sum(1 for _ in fh)


def storage_graph():
    src = os.path.join(ROOT, "crates/storage/src")
    mods = {}
    for d, _, fs in os.walk(src):
        for f in fs:
            if not f.endswith(".rs"):
                continue
            rel = os.path.relpath(os.path.join(d, f), src)[:-3]
            parts = rel.split(os.sep)
            if parts[-1] == "mod":
                parts = parts[:-1]
            if parts == ["lib"]:
                continue
            # A module is named by its path; submodules belong to their top two levels
            # (core/db, parts/tasks), or top level for flat files.
            key = "/".join(parts[:2]) if parts[0] in ("core", "engines", "parts") else parts[0]
            mods.setdefault(key, []).append(os.path.join(d, f))
    names = {k.split("/")[-1]: k for k in mods}
    edges = {k: set() for k in mods}
    pat = re.compile(r"\b(?:crate|super)::(?:(?:core|engines|parts)::)?([a-z_]+)")
    for k, files in mods.items():
        for f in files:
            text = open(f, encoding="utf-8").read()
            # Comments (doc links such as `crate::parts::registry`) are not imports.
            text = re.sub(r"//[^\n]*", "", text)
            for m in pat.finditer(text):
                t = names.get(m.group(1))
                if t and t != k:
                    edges[k].add(t)
    return edges


def sccs(edges):
    index, low, on, stack, out, n = {}, {}, set(), [], [], [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return [c for c in out if len(c) > 1]


def main():
    sizes = sorted(((lines(p), p) for p in rust_files()), reverse=True)
    over = [(n, p) for n, p in sizes if n > LIMIT]
    print(f"largest file: {sizes[0][1]} ({sizes[0][0]} lines)")
    print(f"files over {LIMIT} lines: {len(over)}")
    for n, p in over:
        print(f"  {n:6} {p}")
    circles = sccs(storage_graph())
    print(f"circles between storage modules: {len(circles)}")
    for c in circles:
        print("  " + " <-> ".join(c))
    if "--check" in sys.argv and (over or circles):
        sys.exit(1)


if __name__ == "__main__":
    main()
