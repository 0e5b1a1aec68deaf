"""The ``imageMso`` icons the ribbon may use, each with where it is attested as working.

An unknown ``imageMso`` only blanks the icon in Excel, but a typo is invisible until a clerk
looks; the ribbon test holds every icon of customUI.xml to this list.  Add an id here only with a
place where it is seen working (Microsoft's control-id lists cannot be downloaded here).
"""

from __future__ import annotations

KNOWN_GOOD: dict[str, str] = {
    "AcceptInvitation": "public ribbon XML of Excel/Word VBA add-ins on GitHub (e.g. a size=\"large\" "
                        "'Run Check' / 'Valider' button; code-search excerpts 52201901893, 59805819263)",
    "ImportExcel": "public Excel ribbon XML on GitHub ('Load Data', 'Upload Tracker' buttons; "
                   "code-search excerpts 66901491276, 59154191656)",
    "FileSaveAsWordDocx": "built-in Word control id (idMso=\"FileSaveAsWordDocx\"); used as imageMso / "
                          "OfficeImageId in public VSTO and VBA ribbons, incl. a Chinese VSTO Excel add-in "
                          "(code-search excerpts 39783684124, 15254045802, 24967276674)",
    "FileNew": "public ribbon XML on GitHub (many add-ins' 'New' buttons; code-search excerpts "
               "37093029389, 55434651655)",
    "RecurrenceEdit": "xlwings 0.37.8's own add-in, xlwings/addin/xlwings.xlam customUI/customUI.xml "
                      "('Restart UDF Server' button) — checked by the test against the installed file",
    "MacroPlay": "xlwings 0.37.8, quickstart_addin_ribbon.xlam customUI/customUI.xml (the template "
                 "nianbao.xlam is built from) — checked by the test against the installed file",
}
