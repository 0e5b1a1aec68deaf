"""nianbao — 政府信息公开工作年度报告 toolkit.

Subpackages (each one of the project's top-level folders):
  nianbao.workbook_templates  format schema, report data, template workbooks, workbook I/O
  nianbao.addin               checks, carry-forward, Excel ribbon entry points
  nianbao.generator           the report's text and renderers
"""

__version__ = "0.1.0"
