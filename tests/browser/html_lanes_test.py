#!/usr/bin/env python3
"""Checks that `braid replay --html` draws every thread's lane and marks the
failing step in a browser.

Explores a failing tutorial scenario, replays its token with --html and opens
the page in headless Chromium. The DOM Chromium parsed (--dump-dom) must hold
the failing-step marker: cells of class "failing-step" with data-step="N", each
in a row with id "step-N" that the failure banner links to
(scenarios/report/trace_html.h). Then a screenshot of the page scrolled to the
first marked step (#step-N) is taken and the pixels of each lane's colour
counted (scenarios/report/trace_html.cc gives lane k mod 8 a solid colour over
its sticky header) and those of the marker's red (outline and badge of a
marked cell). Passes when every lane of the trace is visible, no colour of a
lane the trace does not have appears and the marked cell is drawn. The PNG is
decoded here with the standard library (zlib), so nothing beyond python3 and
Chromium is needed.

Usage: html_lanes_test.py --braid build/scenarios/braid [--scenario NAME]
                          [--workdir DIR] [--chromium PATH]
"""
import argparse
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import zlib

# The lane colours of trace_html.cc, lane 0..7.
LANE_COLOURS = [
    (0x1F, 0x77, 0xB4), (0x2C, 0xA0, 0x2C), (0xFF, 0x7F, 0x0E), (0x94, 0x67, 0xBD),
    (0x17, 0xBE, 0xCF), (0xD6, 0x27, 0x28), (0xBC, 0xBD, 0x22), (0xE3, 0x77, 0xC2),
]
MIN_PIXELS = 40  # a 6 px bar over a header cell is hundreds of pixels
# The marker of a failing step (outline and badge of its cell, and the legend's
# swatch). The swatch alone is about 300 pixels; a marked cell's badge is
# thousands.
MARK_COLOUR = (0xC8, 0x10, 0x2E)
MIN_MARK_PIXELS = 1500


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def run(cmd, expect=None, **kw):
    print("+ " + " ".join(cmd), flush=True)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=240, **kw)
    if expect is not None and p.returncode not in expect:
        fail(f"{cmd[0]} exited {p.returncode}\nstdout:\n{p.stdout}\nstderr:\n{p.stderr}")
    return p


def find_chromium(given):
    for name in [given, os.environ.get("BRAID_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"]:
        if name and shutil.which(name):
            return shutil.which(name)
    fail("no chromium found (ci/browser installs Debian's `chromium`)")


def decode_png(data):
    """Returns (width, height, rows) with rows a list of bytes, RGB(A) 8-bit."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail("screenshot is not a PNG")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in (2, 6) or interlace != 0:
        fail(f"unsupported PNG layout: depth {depth}, colour type {colour}, interlace {interlace}")
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev, at = [], bytearray(stride), 0
    for _ in range(height):
        kind = raw[at]
        line = bytearray(raw[at + 1:at + 1 + stride])
        at += 1 + stride
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + b) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def count_colours(width, bpp, rows):
    """Pixels of each lane colour, then of the marker colour (last entry)."""
    colours = LANE_COLOURS + [MARK_COLOUR]
    counts = [0] * len(colours)
    index = {c: k for k, c in enumerate(colours)}
    for line in rows:
        for x in range(0, width * bpp, bpp):
            k = index.get((line[x], line[x + 1], line[x + 2]))
            if k is not None:
                counts[k] += 1
    return counts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--braid", required=True)
    ap.add_argument("--scenario", default="balance-nolock")
    ap.add_argument("--workdir", default="/tmp/braid-html-lanes")
    ap.add_argument("--chromium")
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRAID_")}

    explored = run([args.braid, "explore", args.scenario, "--json"], expect={1}, env=env)
    result = json.loads(explored.stdout)["results"][0]
    if result.get("verdict") == "pass" or not result.get("token"):
        fail(f"{args.scenario} was expected to fail: {result}")
    html = os.path.join(args.workdir, args.scenario + ".html")
    run([args.braid, "replay", result["token"], args.scenario, "--html", html], expect={1}, env=env)
    page = open(html, encoding="utf-8").read()
    m = re.search(r"(\d+) threads?</p>|(\d+) threads? \(", page)
    if not m:
        fail("the page does not say how many threads it shows")
    threads = int(m.group(1) or m.group(2))
    if threads < 2:
        fail(f"a failing interleaving with {threads} thread(s): nothing to check")

    chromium = find_chromium(args.chromium)
    profile = os.path.join(args.workdir, "profile")
    browser = [chromium, "--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars",
               "--force-color-profile=srgb", "--force-device-scale-factor=1", "--user-data-dir=" + profile]
    url = "file://" + os.path.abspath(html)

    # The marker in the DOM: marked cells, their rows' anchors, the banner's links.
    dom = run(browser + ["--dump-dom", url], expect={0}).stdout
    marked = [int(n) for n in re.findall(r'<td class="c\d+ failing-step" data-step="(\d+)">', dom)]
    if not marked:
        fail("the page of a failing replay marks no failing step (no td.failing-step in the DOM)")
    for n in marked:
        if f'<tr id="step-{n}" class="failing-row">' not in dom:
            fail(f"marked step {n} has no row anchor step-{n}")
        if f'<a href="#step-{n}">' not in dom:
            fail(f"the failure banner does not link to marked step {n}")
    if 'class="failure"' not in dom or 'class="legend"' not in dom:
        fail("the page of a failing replay has no failure banner or no legend")
    print(f"marked steps in the DOM: {marked}")

    png = os.path.join(args.workdir, args.scenario + ".png")
    if os.path.exists(png):
        os.remove(png)
    run(browser + ["--screenshot=" + png, "--window-size=1400,900", f"{url}#step-{marked[0]}"], expect=None)
    if not os.path.exists(png):
        fail("chromium wrote no screenshot")
    width, height, bpp, rows = decode_png(open(png, "rb").read())
    counts = count_colours(width, bpp, rows)
    marks = counts.pop()
    print(f"screenshot {width}x{height}, {threads} threads, lane colour pixels: {counts}, marker pixels: {marks}")
    if marks < MIN_MARK_PIXELS:
        fail(f"the marked step {marked[0]} is not drawn: {marks} marker pixels (#{bytes(MARK_COLOUR).hex()})")
    for k in range(min(threads, len(LANE_COLOURS))):
        if counts[k] < MIN_PIXELS:
            fail(f"lane {k} (colour #{bytes(LANE_COLOURS[k]).hex()}) is not visible: {counts[k]} pixels")
    for k in range(threads, len(LANE_COLOURS)):
        if counts[k] != 0:
            fail(f"colour of lane {k} appears but the trace has only {threads} threads: {counts[k]} pixels")
    print(f"OK: all {threads} lanes are drawn and the failing step is marked")


if __name__ == "__main__":
    main()
