"""nianbao.workbook_templates — the format schema, report data, and template workbooks.

The bottom layer of nianbao: everything else (checks, carry-forward, the generator, the
command line, the add-in) reads the format schema and report data defined here.
"""
