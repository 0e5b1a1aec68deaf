"""nianbao.addin — checks (the rule catalogue), carry-forward, and the thin xlwings layer
behind the Excel ribbon.  Built on nianbao.workbook_templates; see the issues for what lands
here next."""
