"""The one thing setup.cfg cannot say: the optional compiled scanner of worksheet parts.

``workbook_templates/xlsx/_plain_scan.c`` is built where a C compiler and Python's headers are
there (``optional``: without them nianbao installs all the same and scans in Python, with the same
results — ``plain_xml``).  With NIANBAO_PURE_PYTHON=1 it is left out: the offline bundles
(``nianbao addin bundle``, ``nianbao ui --bundle``) carry a wheel of nianbao that installs on any
CPU, never one compiled for the machine that made them."""

import os

from setuptools import Extension, setup

PURE = os.environ.get("NIANBAO_PURE_PYTHON") == "1"

setup(ext_modules=[] if PURE else [
    Extension("nianbao.workbook_templates.xlsx._plain_scan", ["workbook_templates/xlsx/_plain_scan.c"], optional=True)])
