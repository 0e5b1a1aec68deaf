"""nianbao.workbook_templates — the bottom layers of nianbao and the bundled template workbooks.

  format/      the pure core: schema, report data, named figures, numbers
  xlsx/        workbooks as files: read, edit, write safely, build templates
  published/   published reports (.txt .md .html .docx .pdf)
  sources.py   report data from any file a command reads
"""
