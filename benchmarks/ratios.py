"""Prints Vellum's figures as ratios to the peer's.

usage: ratios.py VELLUM_RESULTS PEER_RESULTS ROW...
Each ROW is `label|vellum words|peer words|higher` (or `lower`, when less is better): the first figure whose name
contains every comma-separated word is taken from each results file (`name: value unit` lines).
"""
import sys


def load(path):
    out = {}
    for line in open(path):
        if line.startswith("#") or ":" not in line:
            continue
        name, rest = line.split(":", 1)
        try:
            out[name.strip()] = float(rest.split()[0])
        except (ValueError, IndexError):
            pass
    return out


def find(figures, words):
    return next((value for name, value in figures.items() if all(w in name for w in words.split(","))), None)


mine, theirs = load(sys.argv[1]), load(sys.argv[2])
for row in sys.argv[3:]:
    label, my_words, their_words, direction = row.split("|")
    v, p = find(mine, my_words), find(theirs, their_words)
    if v is None or p is None:
        print(f"{label}: missing ({my_words} / {their_words})")
        continue
    ratio = v / p if direction == "higher" else p / v
    print(f"{label}: vellum {v:g} vs invenio {p:g} -> {ratio:.1f}x")
