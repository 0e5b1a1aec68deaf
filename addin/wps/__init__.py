"""The WPS 表格 add-in (a WPS JS add-in in ``jsaddon/``) and its installer."""
