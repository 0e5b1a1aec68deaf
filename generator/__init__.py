"""nianbao.generator — turns report data into the published report (narrative text from the
figures; .docx, .html, .md).  Built on nianbao.workbook_templates and nianbao.addin."""
