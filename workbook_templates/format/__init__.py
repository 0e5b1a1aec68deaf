"""nianbao.workbook_templates.format — the pure core: the statutory format as data (editions,
fields, parts, relations E1–E4, cross-year relations), report data, the named figures
(新收申请, outcome groups, shares, 纠错率) and how figures are written.  It imports nothing of
nianbao but itself."""
