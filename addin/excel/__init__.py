"""nianbao.addin.excel — the Excel shell: the ribbon's entry points and core functions on the
plain xlwings API, the open book's I/O, the 校验结果 sheet, the .xlam build and its install."""
