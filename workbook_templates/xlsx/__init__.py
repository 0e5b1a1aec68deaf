"""nianbao.workbook_templates.xlsx — workbooks as files: the package reader, surgical edits,
safe writes, the template builder, and the one reader that binds named cells to report data
(for a file and, through the same protocol, for a live Excel book)."""
