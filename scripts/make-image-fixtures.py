#!/usr/bin/python3
# Makes the image fixtures in tests/fixtures/images/ that the tests cannot make themselves (jpeg-js
# encodes baseline colour JPEG only), all of the gradient that tests/data/image-fixtures.ts describes:
# a progressive colour JPEG, a baseline greyscale one and a CMYK one; and files of the formats that
# only browsers decode: GIF, lossless WebP, BMP and lossless AVIF. Made once with Debian's python3-pil
# (Pillow 9.4) and libavif-bin (avifenc 0.11): /usr/bin/python3 scripts/make-image-fixtures.py
import subprocess
import tempfile
from PIL import Image

WIDTH, HEIGHT = 24, 16

def gradient(x, y):
    return (round(255 * x / (WIDTH - 1)), round(255 * y / (HEIGHT - 1)), round(255 * (x + y) / (WIDTH + HEIGHT - 2)))

colour = Image.new('RGB', (WIDTH, HEIGHT))
colour.putdata([gradient(x, y) for y in range(HEIGHT) for x in range(WIDTH)])
colour.save('tests/fixtures/images/gradient-progressive.jpg', quality=95, progressive=True, subsampling=0)

grey = Image.new('L', (WIDTH, HEIGHT))
grey.putdata([gradient(x, y)[2] for y in range(HEIGHT) for x in range(WIDTH)])
grey.save('tests/fixtures/images/gradient-grey.jpg', quality=95)

# CMYK, as Photoshop saves it: Pillow writes Adobe-style (inverted) samples and an Adobe segment.
colour.convert('CMYK').save('tests/fixtures/images/gradient-cmyk.jpg', quality=95)


# A GIF holds 256 colours and the gradient 384: the nearest of 256, undithered, within 6 levels of each.
colour.quantize(256, dither=Image.Dither.NONE).save('tests/fixtures/images/gradient.gif')
colour.save('tests/fixtures/images/gradient.webp', lossless=True)
colour.save('tests/fixtures/images/gradient.bmp')
with tempfile.NamedTemporaryFile(suffix='.png') as png:
    colour.save(png.name)
    subprocess.run(['avifenc', '--lossless', png.name, 'tests/fixtures/images/gradient.avif'], check=True, stdout=subprocess.DEVNULL)
