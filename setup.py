"""The one thing setup.cfg cannot say: the optional compiled scanner of worksheet parts.

``workbook_templates/xlsx/_plain_scan.c`` is built where a C compiler and Python's headers are
there (``optional``: without them nianbao installs all the same and scans in Python, with the same
results — ``plain_xml``)."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("nianbao.workbook_templates.xlsx._plain_scan", ["workbook_templates/xlsx/_plain_scan.c"],
                             optional=True)])
