"""TikTok order payloads from tests/fixtures/tiktok/ and the Ecwid products the tests pretend exist."""

import json
from pathlib import Path

from syncapp.sync.mapping import ProductMatch

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "tiktok"
ALL = sorted(path.stem for path in FIXTURES.glob("*.json"))
# Every fixture except the on-hold one has a status the default rules map to Ecwid.
MAPPABLE = [name for name in ALL if name != "on_hold"]

PRODUCTS = {
    "SOCK-RED-M": ProductMatch(103, None, "Invisible socks"),
    "MUG-12OZ": ProductMatch(101, 9001, "Coffee mug"),
    "TEE-BLK-L": ProductMatch(102, 9002, "Organic tee"),
    "LAMP-DESK-BLK": ProductMatch(104),
    "CANDLE-LAV": ProductMatch(105),
    "PHONE-CASE-IP15": ProductMatch(106),
    "SOCK-MERINO-GRY-42": ProductMatch(107, 9007),
    "MATCHA-500G": ProductMatch(108),
    "WHISK-BAMBOO": ProductMatch(109),
    "POSTER-A2": ProductMatch(110),
}


def load(name: str) -> dict:
    """A fresh copy of one fixture, safe to change in a test."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
