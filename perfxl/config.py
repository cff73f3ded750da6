"""perfxl.toml: review rule overrides (``[rules.RULE-ID]``) and safety limits (``[limits]``).

``perfxl validate``/``collect``/``read`` use ``./perfxl.toml`` when it exists, or the file given
with ``--rules``.  Unknown keys are errors, so a typo never silently does nothing.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .review import ReviewConfig, load_config
from .safety import DEFAULT_LIMITS, Limits

DEFAULT_CONFIG_NAME = "perfxl.toml"


@dataclass(frozen=True)
class Settings:
    """How to check forms: which review rules (``review=None`` skips the review) and what one
    input file may cost."""

    review: ReviewConfig | None = field(default_factory=ReviewConfig)
    limits: Limits = DEFAULT_LIMITS


DEFAULT_SETTINGS = Settings()


def load_settings(path: str | Path | None = None, *, review: bool = True) -> Settings:
    """Settings from ``path``, else from ./perfxl.toml when present, else the defaults."""
    if path is None and Path(DEFAULT_CONFIG_NAME).is_file():
        path = DEFAULT_CONFIG_NAME
    if path is None:
        return Settings(ReviewConfig() if review else None)
    review_config = load_config(path)
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    limits = _limits(data.get("limits", {}), path)
    return Settings(review_config if review else None, limits)


def _limits(given: object, path: str | Path) -> Limits:
    if not isinstance(given, dict):
        raise ValueError(f"“{path}”中的 [limits] 应为表。")
    known = {f.name: f for f in dataclasses.fields(Limits)}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise ValueError(f"“{path}”的 [limits] 中有未知的项“{'、'.join(unknown)}”；可用：{'、'.join(known)}。")
    for key, value in given.items():
        whole = isinstance(known[key].default, int)  # sizes and counts; seconds and ratio may be fractional
        kinds = (int,) if whole else (int, float)
        if not isinstance(value, kinds) or isinstance(value, bool) or not math.isfinite(value) or value <= 0:
            wanted = "正整数" if whole else "正数"
            raise ValueError(f"“{path}”的 [limits] {key} 应为{wanted}，实际为“{value}”。")
    return dataclasses.replace(DEFAULT_LIMITS, **given)
