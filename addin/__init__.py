"""nianbao.addin — checks (the rule catalogue), carry-forward and consolidation (core reading the
schema), and the Excel shell (``nianbao.addin.excel``)."""
