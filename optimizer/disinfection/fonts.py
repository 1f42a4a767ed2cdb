"""Pick a font that can draw Chinese on maps, or report that there is none."""

from __future__ import annotations

from functools import cache

CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
    "AR PL UMing CN",
)


@cache
def cjk_font() -> str | None:
    """Name of an installed font family with Chinese glyphs, or ``None`` (labels fall back to
    ids, so a machine without CJK fonts still draws a readable map)."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FAMILIES if name in installed), None)
