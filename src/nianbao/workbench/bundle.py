"""`nianbao ui --bundle DIR`: an offline install of the workbench for 信创 desktops (Kylin V10,
UOS 20) on x86_64 (海光, 兆芯) and aarch64 (飞腾, 鲲鹏): the wheels of nianbao and everything it
needs for each CPU, and ``install.sh``.  loongarch64 (龙芯) is not covered: PyPI has no wheels
for it (lxml, matplotlib, numpy, python-calamine would have to be built there).

Like ``nianbao addin bundle``, this runs on a machine that can reach PyPI.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from nianbao.workbook_templates.format.errors import NianbaoError

ARCHES = ("x86_64", "aarch64")
# glibc 2.28 is what Kylin V10 and UOS 20 ship; wheels built for an older glibc run there too
GLIBC = ("2_28", "2_27", "2_26", "2_24", "2_17")

INSTALL_SH = r"""#!/bin/sh
# nianbao 离线安装（麒麟 Kylin V10 / 统信 UOS 20，x86_64 或 aarch64）：不需要联网。
# 先装好 Python {python} 或更高版本（见 README“工作台”一节），再在终端运行：sh install.sh
# 可用 PYTHON=/opt/python3.11/bin/python3.11 sh install.sh 指定 Python。
set -e
HERE=$(cd "$(dirname "$0")" && pwd)
PY=${{PYTHON:-}}
if [ -z "$PY" ]; then
  for c in python3.13 python3.12 python3.11 python3; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then PY=$c; break; fi
  done
fi
if [ -z "$PY" ] || ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "需要 Python 3.11 或更高版本（本机的 python3 太旧）。请先安装，再用 PYTHON=... sh install.sh 指定。"
  echo "Python >= 3.11 is required."
  exit 1
fi
ARCH=$(uname -m)
if [ ! -d "$HERE/wheels-$ARCH" ]; then
  echo "本安装包没有 $ARCH 处理器的安装文件（只有 x86_64 与 aarch64；龙芯 loongarch64 不支持）。"
  echo "No wheels for $ARCH in this bundle (x86_64 and aarch64 only)."
  exit 1
fi
VENV="${{XDG_DATA_HOME:-$HOME/.local/share}}/nianbao/venv"
"$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install --no-index --find-links "$HERE/wheels-$ARCH" --disable-pip-version-check -q nianbao
"$VENV/bin/python" -m nianbao ui --install-shortcut
echo "安装完成。开始菜单和桌面上有“政务公开年报工作台”；也可以运行：$VENV/bin/nianbao ui"
"""


def platforms(arch: str) -> list[str]:
    return [f"manylinux_{g}_{arch}" for g in GLIBC] + [f"manylinux2014_{arch}"]


def bundle(out: Path, python: str = "3.11", arches: tuple[str, ...] = ARCHES) -> Path:
    from nianbao.addin.excel.install import pure_wheel_env, requirements

    project = Path(__file__).resolve().parents[3]
    if not (project / "setup.cfg").exists():
        raise NianbaoError("离线安装包需要在 nianbao 的源代码目录中生成（git clone 之后 pip install -e .）。",
                           "the offline bundle is built from a source checkout")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    own = out / "nianbao-wheel"
    own.mkdir(parents=True, exist_ok=True)
    _pip(pip + ["wheel", "--no-deps", "-q", "-w", str(own), str(project)], pure_wheel_env())
    for arch in arches:
        wheels = out / f"wheels-{arch}"
        wheels.mkdir(parents=True, exist_ok=True)
        plat = [x for p in platforms(arch) for x in ("--platform", p)]
        _pip(pip + ["download", "-q", "--only-binary=:all:", *plat, "--python-version", python,
                    "--implementation", "cp", "-d", str(wheels), *requirements(extras=())])
        for w in own.iterdir():
            shutil.copy2(w, wheels / w.name)
    shutil.rmtree(own)
    from nianbao.workbook_templates.xlsx.safe_write import write_atomic

    target = out / "install.sh"
    write_atomic(target, INSTALL_SH.format(python=python).encode("utf-8"), backup=False)
    target.chmod(0o755)
    return out


def _pip(cmd: list[str], env: dict[str, str] | None = None) -> None:
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        raise NianbaoError(f"下载安装包失败：{(p.stderr or p.stdout).strip()[-400:]}", "pip failed")
