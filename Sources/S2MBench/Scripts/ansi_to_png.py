#!/usr/bin/env python3
"""Renders ANSI text (the output of `s2m render`, or `tmux capture-pane -p -e`) to a PNG, the way a
terminal would show it: for docs and the README picture. Not used by s2m itself.

Usage: python3 ansi_to_png.py INPUT.ans OUTPUT.png [--cell 8x16] [--columns N]
Needs Pillow (pip install pillow). Half blocks (▀ ▄ █) and shades are drawn as shapes; other
characters with DejaVu Sans Mono when found, else Pillow's default font.
"""
import argparse
import os
import re
import sys

from PIL import Image, ImageDraw, ImageFont

XTERM16 = [(0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205),
           (229, 229, 229), (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255),
           (255, 0, 255), (0, 255, 255), (255, 255, 255)]
LEVELS = [0, 95, 135, 175, 215, 255]
DEFAULT_FG = (229, 229, 229)
DEFAULT_BG = (16, 16, 16)


def palette(n):
    if n < 16:
        return XTERM16[n]
    if n < 232:
        n -= 16
        return (LEVELS[n // 36], LEVELS[(n // 6) % 6], LEVELS[n % 6])
    g = 8 + 10 * (n - 232)
    return (g, g, g)


def parse(text):
    """Yields rows of cells (char, fg, bg, bold, reverse); SGR state carries across lines."""
    fg, bg, bold, reverse = None, None, False, False
    rows, row = [], []
    i = 0
    sgr = re.compile(r"\x1b\[([0-9;]*)m")
    while i < len(text):
        m = sgr.match(text, i)
        if m:
            params = [int(p) if p else 0 for p in m.group(1).split(";")] if m.group(1) else [0]
            k = 0
            while k < len(params):
                p = params[k]
                if p == 0:
                    fg, bg, bold, reverse = None, None, False, False
                elif p == 1:
                    bold = True
                elif p == 7:
                    reverse = True
                elif p == 22:
                    bold = False
                elif p == 27:
                    reverse = False
                elif p in (38, 48) and k + 1 < len(params):
                    if params[k + 1] == 2 and k + 4 < len(params):
                        c = tuple(params[k + 2:k + 5])
                        k += 4
                    elif params[k + 1] == 5 and k + 2 < len(params):
                        c = palette(params[k + 2])
                        k += 2
                    else:
                        c = None
                    if p == 38:
                        fg = c
                    else:
                        bg = c
                elif p == 39:
                    fg = None
                elif p == 49:
                    bg = None
                elif 30 <= p <= 37:
                    fg = XTERM16[p - 30]
                elif 40 <= p <= 47:
                    bg = XTERM16[p - 40]
                elif 90 <= p <= 97:
                    fg = XTERM16[p - 90 + 8]
                elif 100 <= p <= 107:
                    bg = XTERM16[p - 100 + 8]
                k += 1
            i = m.end()
            continue
        ch = text[i]
        i += 1
        if ch == "\n":
            rows.append(row)
            row = []
            continue
        if ch == "\x1b":  # other escapes: skip to the final byte
            while i < len(text) and not text[i].isalpha():
                i += 1
            i += 1
            continue
        row.append((ch, fg, bg, bold, reverse))
    if row:
        rows.append(row)
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--cell", default="8x16")
    ap.add_argument("--columns", type=int, default=None)
    args = ap.parse_args()
    cw, ch = (int(v) for v in args.cell.split("x"))
    text = open(args.input, encoding="utf-8", errors="replace").read()
    rows = parse(text)
    columns = args.columns or max((len(r) for r in rows), default=1)
    image = Image.new("RGB", (columns * cw, len(rows) * ch), DEFAULT_BG)
    draw = ImageDraw.Draw(image)
    font = None
    for candidate in ["/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"]:
        if os.path.exists(candidate):
            font = ImageFont.truetype(candidate, ch - 3)
    if font is None:
        font = ImageFont.load_default()
    shades = {"░": 0.25, "▒": 0.5, "▓": 0.75}
    for y, row in enumerate(rows):
        for x, (c, fg, bg, bold, reverse) in enumerate(row[:columns]):
            f = fg or DEFAULT_FG
            b = bg or DEFAULT_BG
            if reverse:
                f, b = b, f
            x0, y0 = x * cw, y * ch
            draw.rectangle([x0, y0, x0 + cw - 1, y0 + ch - 1], fill=b)
            if c == "▀":
                draw.rectangle([x0, y0, x0 + cw - 1, y0 + ch // 2 - 1], fill=f)
            elif c == "▄":
                draw.rectangle([x0, y0 + ch // 2, x0 + cw - 1, y0 + ch - 1], fill=f)
            elif c == "█":
                draw.rectangle([x0, y0, x0 + cw - 1, y0 + ch - 1], fill=f)
            elif c in shades:
                a = shades[c]
                mix = tuple(int(b[i] * (1 - a) + f[i] * a) for i in range(3))
                draw.rectangle([x0, y0, x0 + cw - 1, y0 + ch - 1], fill=mix)
            elif c != " ":
                draw.text((x0, y0), c, fill=f, font=font)
    image.save(args.output, optimize=True)


if __name__ == "__main__":
    sys.exit(main())
