#!/usr/bin/env python3
"""Checks that `braid replay --html` draws every thread's lane in a browser.

Explores a failing tutorial scenario, replays its token with --html, opens the
page in headless Chromium, takes a screenshot and counts the pixels of each
lane's colour (scenarios/report/trace_html.cc gives lane k mod 8 a solid
colour over its header). Passes when every lane of the trace is visible and no
colour of a lane the trace does not have appears. The PNG is decoded here with
the standard library (zlib), so nothing beyond python3 and Chromium is needed.

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
    counts = [0] * len(LANE_COLOURS)
    index = {c: k for k, c in enumerate(LANE_COLOURS)}
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

    png = os.path.join(args.workdir, args.scenario + ".png")
    if os.path.exists(png):
        os.remove(png)
    chromium = find_chromium(args.chromium)
    profile = os.path.join(args.workdir, "profile")
    run([chromium, "--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars",
         "--force-color-profile=srgb", "--force-device-scale-factor=1", "--user-data-dir=" + profile,
         "--screenshot=" + png, "--window-size=1400,900", "file://" + os.path.abspath(html)], expect=None)
    if not os.path.exists(png):
        fail("chromium wrote no screenshot")
    width, height, bpp, rows = decode_png(open(png, "rb").read())
    counts = count_colours(width, bpp, rows)
    print(f"screenshot {width}x{height}, {threads} threads, lane colour pixels: {counts}")
    for k in range(min(threads, len(LANE_COLOURS))):
        if counts[k] < MIN_PIXELS:
            fail(f"lane {k} (colour #{bytes(LANE_COLOURS[k]).hex()}) is not visible: {counts[k]} pixels")
    for k in range(threads, len(LANE_COLOURS)):
        if counts[k] != 0:
            fail(f"colour of lane {k} appears but the trace has only {threads} threads: {counts[k]} pixels")
    print(f"OK: all {threads} lanes are drawn")


if __name__ == "__main__":
    main()
