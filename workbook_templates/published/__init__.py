"""nianbao.workbook_templates.published — reading reports as they were published (.txt .md
.html .docx .pdf): the text of a file, the tables and prose found in it, run-together digits."""
