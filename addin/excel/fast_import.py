"""Keep matplotlib and plotly out of ``import xlwings.utils`` — the first thing every RunPython
click runs, before any of our code — so that only 生成报告 pays for matplotlib.

``xlwings/utils.py`` and ``xlwings/main.py`` import matplotlib.pyplot and plotly whenever they are
installed (for their picture helpers, which nianbao does not use); matplotlib is a dependency of nianbao (the chart
of 生成报告), so every click would pay 1.7 s here, more with a cold font cache.  ``nianbao addin
install`` puts a one-line ``.pth`` file into the add-in's Python, which installs this finder at
start-up: an import of matplotlib or plotly *made by xlwings itself* fails as if the
package were missing (xlwings then sets ``mpl = None``); every other import — the generator's
chart — is untouched.  Remove the file ``nianbao_fast_clicks.pth`` to switch it off.
"""

from __future__ import annotations

import sys
from typing import Any

PTH_NAME = "nianbao_fast_clicks.pth"
PTH_LINE = "import nianbao.addin.excel.fast_import as m; m.install()\n"
HEAVY = ("matplotlib", "plotly")


class XlwingsWithoutPlots:
    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name.partition(".")[0] not in HEAVY:
            return None
        frame = sys._getframe(1)
        while frame is not None and frame.f_globals.get("__name__", "").startswith(("importlib", "_frozen_importlib")):
            frame = frame.f_back
        importer = frame.f_globals.get("__name__", "") if frame is not None else ""
        if importer == "xlwings" or importer.startswith("xlwings."):
            raise ImportError(f"{name} is kept out of xlwings by nianbao (fast clicks)")
        return None


def install() -> None:
    if not any(isinstance(f, XlwingsWithoutPlots) for f in sys.meta_path):
        sys.meta_path.insert(0, XlwingsWithoutPlots())
