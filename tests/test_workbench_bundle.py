"""The offline install of the workbench for Kylin/UOS: wheels for x86_64 and aarch64 (from PyPI,
as `nianbao addin bundle` does for Windows) and install.sh."""

from __future__ import annotations

import re
import subprocess

from conftest import nianbao

from nianbao.addin.excel.install import requirements


def _name(req: str) -> str:
    return re.split(r"[<>=!~ \[]", req, maxsplit=1)[0].lower().replace("-", "_")


def test_kylin_bundle_has_every_requirement_for_both_cpus(tmp_path):
    out = tmp_path / "bundle"
    run = nianbao("ui", "--bundle", out)
    assert run.code == 0, run.err
    for arch in ("x86_64", "aarch64"):
        wheels = [p.name for p in (out / f"wheels-{arch}").iterdir()]
        names = {w.split("-")[0].lower() for w in wheels}
        for req in requirements(extras=()):
            assert _name(req) in names, (arch, req)
        assert any(w.startswith("nianbao-") for w in wheels)
        binary = [w for w in wheels if not w.endswith("-none-any.whl")]
        assert binary and all(arch in w and ("cp311" in w or "-py3-none-" in w) for w in binary), binary  # nothing for another CPU
        assert not any(re.search(r"manylinux_2_(29|[3-9]\d)", w) and "manylinux_2_28" not in w
                       and "manylinux2014" not in w and "manylinux_2_17" not in w for w in binary)  # glibc ≤ 2.28
    script = out / "install.sh"
    assert script.stat().st_mode & 0o100
    # on a CPU the bundle does not cover, install.sh says so and changes nothing
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "uname").write_text("#!/bin/sh\necho loongarch64\n")
    (fake / "uname").chmod(0o755)
    p = subprocess.run(["sh", str(script)], capture_output=True, text=True,
                       env={"PATH": f"{fake}:/usr/bin:/bin", "HOME": str(tmp_path / "home")})
    assert p.returncode == 1 and "loongarch64" in p.stdout and "龙芯" in p.stdout
    assert not (tmp_path / "home").exists()
