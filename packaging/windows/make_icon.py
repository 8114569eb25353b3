"""Draw the app's icon: a white van on the Département's blue, with "DP" on its side.

Writes ``drome_resources/icons/drome-proximite.png`` (256 px, the window icon) and
``packaging/windows/drome-proximite.ico`` (16 to 256 px, the executable and the installer).
Run it again only to change the drawing: ``.venv/bin/python packaging/windows/make_icon.py``.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[2]
BLUE = (31, 58, 95, 255)  # the ink blue of the app's PDFs (#1f3a5f)
WHITE = (255, 255, 255, 255)
SIZE = 1024  # drawn large, then scaled down smoothly


def draw() -> Image.Image:
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.rounded_rectangle((0, 0, SIZE - 1, SIZE - 1), radius=200, fill=BLUE)
    # The van: a box body, a sloped cab at the front, two wheels.
    pen.rounded_rectangle((120, 300, 700, 700), radius=50, fill=WHITE)
    pen.polygon([(680, 380), (820, 380), (910, 540), (910, 700), (680, 700)], fill=WHITE)
    pen.polygon([(720, 420), (800, 420), (860, 530), (720, 530)], fill=BLUE)  # windscreen
    for x in (280, 760):
        pen.ellipse((x - 95, 610, x + 95, 800), fill=BLUE)
        pen.ellipse((x - 60, 645, x + 60, 765), fill=WHITE)
    font = ImageFont.truetype(str(ROOT / "drome_resources" / "fonts" / "DejaVuSans-Bold.ttf"), 230)
    pen.text((410, 470), "DP", font=font, fill=BLUE, anchor="mm")
    return image


def main() -> None:
    image = draw()
    png = ROOT / "drome_resources" / "icons" / "drome-proximite.png"
    png.parent.mkdir(parents=True, exist_ok=True)
    image.resize((256, 256), Image.LANCZOS).save(png)
    sizes = [(s, s) for s in (16, 24, 32, 48, 64, 128, 256)]
    image.save(ROOT / "packaging" / "windows" / "drome-proximite.ico", sizes=sizes)
    print(png)


if __name__ == "__main__":
    main()
