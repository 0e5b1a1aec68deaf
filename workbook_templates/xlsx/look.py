"""Colours of the template and of the marks validation puts on cells (RGB hex), shared by the
template builder, the file annotator and the Excel add-in."""

INPUT_FILL = "FFF2CC"  # cells a person types into
FORMULA_FILL = "EDEDED"  # totals
ERROR_FILL, ERROR_FONT = "FF7C80", "9C0006"
WARNING_FILL, WARNING_FONT = "F4B084", "833C0B"
INFO_FILL, INFO_FONT = "DDEBF7", "1F4E78"  # 提示 in the 校验结果 sheet
HEADER_FILL = "D9D9D9"  # header rows of sheets we write
BORDER = "808080"
BALANCED_FILL, BALANCED_FONT = "C6EFCE", "006100"
UNBALANCED_FILL, UNBALANCED_FONT = "FFC7CE", "9C0006"
UNFILLED_FILL, UNFILLED_FONT = "EDEDED", "7F7F7F"


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return int(hex_colour[0:2], 16), int(hex_colour[2:4], 16), int(hex_colour[4:6], 16)
