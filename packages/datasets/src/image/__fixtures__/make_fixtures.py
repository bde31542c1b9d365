"""Reference outputs of Pillow for resample.test.ts and luma.test.ts.

Run with /usr/bin/python3 (Pillow 9.4, NumPy 1.24) from this folder:
    /usr/bin/python3 make_fixtures.py
It writes pillow.json. The input patterns are formulas that the tests rebuild in TypeScript.
"""
import json

import numpy as np
from PIL import Image


def pattern8(width, height):
    y, x = np.mgrid[0:height, 0:width]
    return ((x * 37 + y * 91 + (x * y) % 7 * 20) % 256).astype(np.uint8)


def pattern16(width, height):
    y, x = np.mgrid[0:height, 0:width]
    return ((x * 2711 + y * 9137 + (x * y) % 13 * 1000) % 65536).astype(np.int32)


def pattern_rgb(width, height):
    y, x = np.mgrid[0:height, 0:width]
    r = (x * 53 + y * 17) % 256
    g = (x * 29 + y * 71 + 5) % 256
    b = (x * 11 + y * 43 + 200) % 256
    return np.stack([r, g, b], axis=-1).astype(np.uint8)


WIDTH, HEIGHT = 20, 17
SIZES = [(8, 8), (32, 32), (11, 11), (13, 29), (20, 17), (3, 2)]

resize8 = []
resize16 = []
for out_width, out_height in SIZES:
    # Image.BILINEAR with no reducing_gap: what torchvision's Resize calls on a PIL image.
    small = Image.fromarray(pattern8(WIDTH, HEIGHT), mode="L").resize((out_width, out_height), Image.BILINEAR)
    resize8.append({"width": out_width, "height": out_height, "pixels": np.asarray(small).flatten().tolist()})
    # Pillow 9.4 cannot resize mode I;16, so 16-bit references use mode I (32-bit integers, round half up).
    wide = Image.fromarray(pattern16(WIDTH, HEIGHT), mode="I").resize((out_width, out_height), Image.BILINEAR)
    resize16.append({"width": out_width, "height": out_height, "pixels": np.asarray(wide).flatten().tolist()})

# MNIST: 28 x 28 upscaled to 32 x 32, the builder's common case.
mnist_like = pattern8(28, 28)
up = Image.fromarray(mnist_like, mode="L").resize((32, 32), Image.BILINEAR)

rgb = pattern_rgb(6, 5)
luma = Image.fromarray(rgb, mode="RGB").convert("L")
primaries = [
    int(Image.new("RGB", (1, 1), colour).convert("L").getpixel((0, 0)))
    for colour in [(255, 0, 0), (0, 255, 0), (0, 0, 255)]
]

fixture = {
    "input": {"width": WIDTH, "height": HEIGHT},
    "resize8": resize8,
    "resize16": resize16,
    "upscale28to32": np.asarray(up).flatten().tolist(),
    "luma": {"width": 6, "height": 5, "pixels": np.asarray(luma).flatten().tolist()},
    "primaries": primaries,
}
with open("pillow.json", "w") as out:
    json.dump(fixture, out)
    out.write("\n")
