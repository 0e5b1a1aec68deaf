/* The plain form of a worksheet part, checked and cut into cells in one pass (C).
 *
 * sheet(raw) gives what plain_xml._scan_sheet(raw, raw, None) gives before it asks expat whether
 * the part is well-formed: ({reference: chunk}, protected) — or None.  None means only "not
 * answered here": the Python scan then reads the part as it always did.  So this answers only the
 * usual form and says None at the first thing it does not follow; what it does answer is exactly
 * the Python scan's answer (tests/test_plain_scan.py holds the two equal, on every sheet of every
 * workbook of the tests and on mutations of them).
 *
 * Like the Python scan, it searches the bytes and never tokenizes them: every '<' anywhere
 * (in a value, in text) is looked at, and so is every "sheetProtection".  It only reads the
 * buffer (every index is checked against its length) and makes Python objects; nothing here
 * decides whether the part is well-formed.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

#define MAX_ROW 1048576
#define FAST_MAX_BYTES (4 * 1024 * 1024)  /* plain_xml.FAST_MAX_BYTES */

/* \s of a bytes pattern */
static int is_space(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int is_name_start(unsigned char c) {  /* [A-Za-z_] */
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int is_name_char(unsigned char c) {  /* [\w.\-] of a bytes pattern */
    return is_name_start(c) || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

static int ends_name(const unsigned char *s, Py_ssize_t n, Py_ssize_t i) {  /* (?=[\s/>]) at i */
    return i < n && (is_space(s[i]) || s[i] == '/' || s[i] == '>');
}

static int at(const unsigned char *s, Py_ssize_t n, Py_ssize_t i, const char *lit) {
    Py_ssize_t k = (Py_ssize_t)strlen(lit);
    return i >= 0 && i + k <= n && memcmp(s + i, lit, (size_t)k) == 0;
}

/* plain_xml.plain_start: where the root element starts, or -1.  Only the usual declarations:
 * one whose encoding is named in any other way than encoding="UTF-8" (or 'utf8' …) is left to
 * Python. */
static Py_ssize_t plain_start(const unsigned char *s, Py_ssize_t n) {
    Py_ssize_t i = 0;
    if (at(s, n, 0, "\xef\xbb\xbf"))
        i = 3;
    if (at(s, n, i, "<?xml")) {
        Py_ssize_t a = i + 5, j = a;
        while (j < n && s[j] != '<' && s[j] != '>' && s[j] != '?')
            j++;
        if (!(j + 1 < n && s[j] == '?' && s[j + 1] == '>'))
            return -1;
        /* the attributes s[a:j]: "encoding" only as encoding="utf-8" (either quote, any case) */
        for (Py_ssize_t k = a; k + 8 <= j; k++) {
            if (memcmp(s + k, "encoding", 8) != 0)
                continue;
            Py_ssize_t q = k + 8;
            if (q < j && s[q] == '=' && q + 1 < j && (s[q + 1] == '"' || s[q + 1] == '\'')) {
                Py_ssize_t v = q + 2, e = v;
                while (e < j && s[e] != '"' && s[e] != '\'')
                    e++;
                if (e < j) {
                    Py_ssize_t len = e - v;
                    char low[6];
                    if (len == 5 || len == 4) {
                        for (Py_ssize_t m = 0; m < len; m++)
                            low[m] = (char)((s[v + m] >= 'A' && s[v + m] <= 'Z') ? s[v + m] + 32 : s[v + m]);
                        if ((len == 5 && memcmp(low, "utf-8", 5) == 0) || (len == 4 && memcmp(low, "utf8", 4) == 0))
                            continue;
                    }
                }
            }
            return -1;  /* another encoding, or a form of the attribute not followed here */
        }
        i = j + 2;
    }
    while (i < n && is_space(s[i]))
        i++;
    if (!(i + 1 < n && s[i] == '<' && is_name_start(s[i + 1])))
        return -1;
    return i;
}

/* One <sheetProtection …> start tag at s[lt] == '<': 1 when it sets sheet="1" or "true", 0 when
 * not, -1 when its form is not followed here (then Python reads the part). */
static int protection_tag(const unsigned char *s, Py_ssize_t n, Py_ssize_t lt) {
    Py_ssize_t i = lt + 1 + 15;  /* past "sheetProtection" */
    int protected = 0;
    if (!ends_name(s, n, i))
        return -1;
    for (;;) {
        Py_ssize_t p = i;
        while (p < n && is_space(s[p]))
            p++;
        if (p == i || p >= n || s[p] == '/' || s[p] == '>')
            break;  /* no attribute follows */
        Py_ssize_t name = p;
        while (p < n && !is_space(s[p]) && s[p] != '=' && s[p] != '/' && s[p] != '<' && s[p] != '>' &&
               s[p] != '"' && s[p] != '\'')
            p++;
        Py_ssize_t name_end = p;
        if (name_end == name)
            return -1;
        while (p < n && is_space(s[p]))
            p++;
        if (p >= n || s[p] != '=')
            return -1;
        p++;
        while (p < n && is_space(s[p]))
            p++;
        if (p >= n || (s[p] != '"' && s[p] != '\''))
            return -1;
        unsigned char quote = s[p];
        Py_ssize_t v = ++p;
        while (p < n && s[p] != quote) {
            /* '<' ends the pattern's value; '&', line ends, tabs and other than ASCII would be
             * resolved or normalised by plain_xml.attribute: left to Python */
            if (s[p] == '<' || s[p] == '&' || s[p] == '\t' || s[p] == '\n' || s[p] == '\r' || s[p] >= 0x80)
                return -1;
            p++;
        }
        if (p >= n)
            return -1;
        if (name_end - name == 5 && memcmp(s + name, "sheet", 5) == 0)
            protected = (p - v == 1 && s[v] == '1') || (p - v == 4 && memcmp(s + v, "true", 4) == 0);
        i = p + 1;
    }
    while (i < n && is_space(s[i]))
        i++;
    if (i < n && s[i] == '/')
        i++;
    if (!(i < n && s[i] == '>'))
        return -1;
    return protected;
}

/* What the elements named sheetProtection say (plain_xml._protection): 1 or 0 for the last start
 * tag, 0 when there is none, -1 when an occurrence is not a plain start or end tag. */
static int protection(const unsigned char *s, Py_ssize_t n) {
    int protected = 0;
    const unsigned char *p = s, *end = s + n;
    while (p < end) {
        const unsigned char *P = memchr(p, 'P', (size_t)(end - p));
        if (P == NULL)
            break;
        Py_ssize_t j = P - s;
        p = P + 1;
        if (j < 5 || j + 10 > n || memcmp(s + j - 5, "sheetProtection", 15) != 0)
            continue;
        Py_ssize_t word = j - 5;
        if (word >= 2 && s[word - 1] == '/' && s[word - 2] == '<')
            continue;  /* an end tag */
        if (word < 1 || s[word - 1] != '<')
            return -1;  /* prefixed, or in text or a value: Python tells */
        int got = protection_tag(s, n, word - 1);
        if (got < 0)
            return -1;
        protected = got;
    }
    return protected;
}

typedef struct {
    Py_ssize_t *at;  /* where each "<c " is */
    Py_ssize_t *ref_end;  /* where its reference ends (the closing quote) */
    Py_ssize_t len, cap;
} Cells;

static int cells_add(Cells *c, Py_ssize_t lt, Py_ssize_t ref_end) {
    if (c->len == c->cap) {
        Py_ssize_t cap = c->cap ? c->cap * 2 : 512;
        Py_ssize_t *a = PyMem_Realloc(c->at, (size_t)cap * sizeof(Py_ssize_t));
        if (a == NULL)
            return -1;
        c->at = a;
        Py_ssize_t *b = PyMem_Realloc(c->ref_end, (size_t)cap * sizeof(Py_ssize_t));
        if (b == NULL)
            return -1;
        c->ref_end = b;
        c->cap = cap;
    }
    c->at[c->len] = lt;
    c->ref_end[c->len] = ref_end;
    c->len++;
    return 0;
}

/* Every '<' after the root's start, as plain_xml's searches see it: 1 when all are in the plain
 * form (the cells recorded), 0 when one is not. */
static int scan_tags(const unsigned char *s, Py_ssize_t n, Py_ssize_t start, Cells *cells, int *error) {
    const unsigned char *p = s, *end = s + n;
    while (p < end) {
        const unsigned char *lt = memchr(p, '<', (size_t)(end - p));
        if (lt == NULL)
            break;
        Py_ssize_t i = lt - s;
        p = lt + 1;
        if (i + 1 >= n)
            continue;
        unsigned char c1 = s[i + 1];
        if (c1 == '!' || c1 == '?') {
            if (i >= start)
                return 0;  /* a DTD, comment, CDATA section or processing instruction */
            continue;
        }
        if (c1 == 'c' && i + 2 < n) {
            unsigned char c2 = s[i + 2];
            if (c2 == ' ') {  /* a cell: its first attribute r="…", the reference in ASCII */
                Py_ssize_t r = i + 3;
                if (!at(s, n, r, "r=\""))
                    return 0;
                Py_ssize_t q = r + 3;
                while (q < n && s[q] != '"') {
                    if (s[q] == '&' || s[q] == '<' || s[q] < 0x20 || s[q] >= 0x80)
                        return 0;
                    q++;
                }
                if (q >= n || q == r + 3)
                    return 0;
                if (cells_add(cells, i, q) < 0) {
                    *error = 1;
                    return 0;
                }
                continue;
            }
            if (c2 == '\t' || c2 == '\r' || c2 == '\n' || c2 == '/' || c2 == '>')
                return 0;  /* a cell tag not followed by one space */
        }
        if (at(s, n, i, "<row") && !at(s, n, i + 4, "Breaks")) {
            Py_ssize_t d = i + 4;
            if (!at(s, n, d, " r=\""))
                return 0;
            d += 4;
            Py_ssize_t first = d;
            long row = 0;
            while (d < n && s[d] >= '0' && s[d] <= '9' && d - first < 7) {
                row = row * 10 + (s[d] - '0');
                d++;
            }
            if (d == first || s[first] == '0' || !(d < n && s[d] == '"') || !ends_name(s, n, d + 1))
                return 0;  /* a row without its plain number */
            if (row > MAX_ROW)
                return 0;
            continue;
        }
        if (is_name_start(c1)) {  /* a prefixed cell, row or protection: <x:c, <x:row … */
            Py_ssize_t k = i + 2;
            while (k < n && is_name_char(s[k]))
                k++;
            if (k < n && s[k] == ':') {
                k++;
                if ((at(s, n, k, "c") && ends_name(s, n, k + 1)) || (at(s, n, k, "row") && ends_name(s, n, k + 3)) ||
                    (at(s, n, k, "sheetProtection") && ends_name(s, n, k + 15)))
                    return 0;
            }
        }
    }
    return 1;
}

static PyObject *sheet(PyObject *module, PyObject *arg) {
    (void)module;
    if (!PyBytes_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "sheet() takes bytes");
        return NULL;
    }
    const unsigned char *s = (const unsigned char *)PyBytes_AS_STRING(arg);
    Py_ssize_t n = PyBytes_GET_SIZE(arg);
    if (n > FAST_MAX_BYTES)
        Py_RETURN_NONE;  /* read the general way (plain_xml.FAST_MAX_BYTES) */
    Py_ssize_t start = plain_start(s, n);
    if (start < 0)
        Py_RETURN_NONE;
    Cells cells = {NULL, NULL, 0, 0};
    int error = 0;
    PyObject *out = NULL, *chunks = NULL;
    if (!scan_tags(s, n, start, &cells, &error)) {
        if (error) {
            PyErr_NoMemory();
            goto done;
        }
        out = Py_NewRef(Py_None);
        goto done;
    }
    int protected = protection(s, n);
    if (protected < 0) {
        out = Py_NewRef(Py_None);
        goto done;
    }
    chunks = PyDict_New();
    if (chunks == NULL)
        goto done;
    for (Py_ssize_t k = 0; k < cells.len; k++) {
        Py_ssize_t from = cells.at[k] + 3, to = k + 1 < cells.len ? cells.at[k + 1] : n;
        Py_ssize_t r = cells.at[k] + 6;
        PyObject *key = PyUnicode_FromStringAndSize((const char *)s + r, cells.ref_end[k] - r);
        if (key == NULL)
            goto done;
        PyObject *chunk = PyBytes_FromStringAndSize((const char *)s + from, to - from);
        if (chunk == NULL) {
            Py_DECREF(key);
            goto done;
        }
        int bad = PyDict_SetItem(chunks, key, chunk);
        Py_DECREF(key);
        Py_DECREF(chunk);
        if (bad < 0)
            goto done;
    }
    out = Py_BuildValue("(OO)", chunks, protected ? Py_True : Py_False);
done:
    Py_XDECREF(chunks);
    PyMem_Free(cells.at);
    PyMem_Free(cells.ref_end);
    return out;
}


/* -- well-formedness, for the usual document ------------------------------------------------
 *
 * well_formed(raw) is True only when raw is a well-formed XML document as expat (without
 * namespace processing) takes it: and then only for the form every writer of .xlsx uses — UTF-8,
 * at most the XML declaration before the root, names in ASCII, no DTD, comment, CDATA section or
 * processing instruction, no entity but the five predefined ones.  Anything else (and anything
 * not well-formed) is False: "not answered here", and expat is asked, as before, and tells why.
 */

static int xml_space(unsigned char c) {  /* S of the XML grammar */
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int xml_name_start(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == ':';
}

static int xml_name_char(unsigned char c) {
    return xml_name_start(c) || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

/* An ASCII name at s[*i] (moved past it): its length, or 0 when there is none or it goes on in
 * characters other than ASCII (a name this does not answer). */
static Py_ssize_t xml_name(const unsigned char *s, Py_ssize_t n, Py_ssize_t *i) {
    Py_ssize_t k = *i;
    if (k >= n || !xml_name_start(s[k]))
        return 0;
    while (k < n && xml_name_char(s[k]))
        k++;
    if (k < n && s[k] >= 0x80)
        return 0;
    Py_ssize_t len = k - *i;
    *i = k;
    return len;
}

static int xml_char(Py_UCS4 c) {
    return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
           (c >= 0x10000 && c <= 0x10FFFF);
}

/* One UTF-8 character at s[*i] (moved past it): 1 when it is well encoded (shortest form, no
 * surrogate) and an XML character, else 0. */
static int utf8_char(const unsigned char *s, Py_ssize_t n, Py_ssize_t *i) {
    Py_ssize_t k = *i;
    unsigned char c = s[k];
    Py_UCS4 cp;
    int more;
    if (c < 0x80) {
        cp = c;
        more = 0;
    } else if (c >= 0xC2 && c <= 0xDF) {
        cp = c & 0x1F;
        more = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
        cp = c & 0x0F;
        more = 2;
    } else if (c >= 0xF0 && c <= 0xF4) {
        cp = c & 0x07;
        more = 3;
    } else {
        return 0;
    }
    if (k + more >= n)
        return 0;  /* cut short */
    for (int m = 1; m <= more; m++) {
        unsigned char d = s[k + m];
        if ((d & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (d & 0x3F);
    }
    if ((more == 2 && cp < 0x800) || (more == 3 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    *i = k + 1 + more;
    return xml_char(cp);
}

/* A reference at s[*i] == '&' (moved past it): 1 for a character reference to an XML character
 * or one of the five predefined entities, else 0. */
static int xml_reference(const unsigned char *s, Py_ssize_t n, Py_ssize_t *i) {
    Py_ssize_t k = *i + 1;
    if (k < n && s[k] == '#') {
        unsigned long cp = 0;
        int digits = 0, hex = 0;
        k++;
        if (k < n && s[k] == 'x') {
            hex = 1;
            k++;
        }
        for (; k < n && digits < 9; k++, digits++) {
            unsigned char d = s[k];
            if (d >= '0' && d <= '9')
                cp = cp * (hex ? 16 : 10) + (d - '0');
            else if (hex && d >= 'a' && d <= 'f')
                cp = cp * 16 + (d - 'a' + 10);
            else if (hex && d >= 'A' && d <= 'F')
                cp = cp * 16 + (d - 'A' + 10);
            else
                break;
        }
        if (digits == 0 || digits >= 9 || !(k < n && s[k] == ';') || cp > 0x10FFFF || !xml_char((Py_UCS4)cp))
            return 0;
        *i = k + 1;
        return 1;
    }
    static const char *names[] = {"lt;", "gt;", "amp;", "quot;", "apos;"};
    for (int m = 0; m < 5; m++) {
        if (at(s, n, k, names[m])) {
            *i = k + (Py_ssize_t)strlen(names[m]);
            return 1;
        }
    }
    return 0;
}

/* Character data from s[*i] up to '<' (or, in an attribute value, up to ``quote``), moved there:
 * 1 when every character and reference in it is allowed, else 0. */
static int xml_text(const unsigned char *s, Py_ssize_t n, Py_ssize_t *i, unsigned char quote) {
    Py_ssize_t k = *i;
    while (k < n) {
        unsigned char c = s[k];
        if (c == '<' || (quote && c == quote))
            break;
        if (c >= 0x20 && c < 0x80 && c != '&' && c != ']') {
            k++;
        } else if (c == '&') {
            if (!xml_reference(s, n, &k))
                return 0;
        } else if (c == ']') {
            if (!quote && at(s, n, k, "]]>"))
                return 0;
            k++;
        } else if (c < 0x80) {
            if (c != '\t' && c != '\n' && c != '\r')
                return 0;
            k++;
        } else if (!utf8_char(s, n, &k)) {
            return 0;
        }
    }
    *i = k;
    return 1;
}

static Py_ssize_t skip_space(const unsigned char *s, Py_ssize_t n, Py_ssize_t k) {
    while (k < n && xml_space(s[k]))
        k++;
    return k;
}

/* S? '=' S? and a quoted value of ASCII letters, digits and . _ - (the declaration's) */
static Py_ssize_t decl_value(const unsigned char *s, Py_ssize_t n, Py_ssize_t k, Py_ssize_t *v, Py_ssize_t *len) {
    k = skip_space(s, n, k);
    if (!(k < n && s[k] == '='))
        return -1;
    k = skip_space(s, n, k + 1);
    if (!(k < n && (s[k] == '"' || s[k] == '\'')))
        return -1;
    unsigned char quote = s[k++];
    *v = k;
    while (k < n && s[k] != quote && (is_name_char(s[k])))
        k++;
    if (!(k < n && s[k] == quote))
        return -1;
    *len = k - *v;
    return k + 1;
}

static int lower_is(const unsigned char *s, Py_ssize_t len, const char *word) {
    if ((Py_ssize_t)strlen(word) != len)
        return 0;
    for (Py_ssize_t m = 0; m < len; m++) {
        unsigned char c = s[m];
        if (c >= 'A' && c <= 'Z')
            c += 32;
        if (c != (unsigned char)word[m])
            return 0;
    }
    return 1;
}

/* The XML declaration at s[k] (after a BOM): where it ends, or -1 when it is not the usual
 * one: version 1.0, the encoding (if named) UTF-8, standalone yes or no. */
static Py_ssize_t xml_decl(const unsigned char *s, Py_ssize_t n, Py_ssize_t k) {
    Py_ssize_t v, len;
    k += 5;
    Py_ssize_t p = skip_space(s, n, k);
    if (p == k || !at(s, n, p, "version"))
        return -1;
    k = decl_value(s, n, p + 7, &v, &len);
    if (k < 0 || !(len == 3 && memcmp(s + v, "1.0", 3) == 0))
        return -1;
    p = skip_space(s, n, k);
    if (p > k && at(s, n, p, "encoding")) {
        k = decl_value(s, n, p + 8, &v, &len);
        if (k < 0 || !lower_is(s + v, len, "utf-8"))  /* not "utf8": expat hands that name to a codec of Python's */
            return -1;
        p = skip_space(s, n, k);
    }
    if (p > k && at(s, n, p, "standalone")) {
        k = decl_value(s, n, p + 10, &v, &len);
        if (k < 0 || !((len == 3 && memcmp(s + v, "yes", 3) == 0) || (len == 2 && memcmp(s + v, "no", 2) == 0)))
            return -1;
        p = skip_space(s, n, k);
    }
    if (!at(s, n, p, "?>"))
        return -1;
    return p + 2;
}

#define MAX_DEPTH 64
#define MAX_ATTRIBUTES 64

static int document_well_formed(const unsigned char *s, Py_ssize_t n) {
    Py_ssize_t k = 0;
    Py_ssize_t open_at[MAX_DEPTH], open_len[MAX_DEPTH];
    int depth = 0, rooted = 0;
    if (at(s, n, 0, "\xef\xbb\xbf"))
        k = 3;
    if (at(s, n, k, "<?xml") && k + 5 < n && xml_space(s[k + 5])) {
        k = xml_decl(s, n, k);
        if (k < 0)
            return 0;
    }
    k = skip_space(s, n, k);
    if (!(k < n && s[k] == '<'))
        return 0;
    while (k < n) {
        if (s[k] != '<') {  /* character data: only inside the root */
            if (depth == 0) {
                k = skip_space(s, n, k);
                if (k < n)
                    return 0;
                break;
            }
            if (!xml_text(s, n, &k, 0))
                return 0;
            continue;
        }
        /* a tag */
        if (k + 1 < n && s[k + 1] == '/') {
            Py_ssize_t name = k + 2, p = name;
            Py_ssize_t len = xml_name(s, n, &p);
            if (len == 0 || depth == 0 || len != open_len[depth - 1] || memcmp(s + name, s + open_at[depth - 1], (size_t)len) != 0)
                return 0;
            p = skip_space(s, n, p);
            if (!(p < n && s[p] == '>'))
                return 0;
            depth--;
            k = p + 1;
            continue;
        }
        if (rooted && depth == 0)
            return 0;  /* a second root */
        Py_ssize_t name = k + 1, p = name;
        Py_ssize_t len = xml_name(s, n, &p);
        if (len == 0)
            return 0;  /* a DTD, comment, CDATA, processing instruction, a name not in ASCII … */
        Py_ssize_t attr_at[MAX_ATTRIBUTES], attr_len[MAX_ATTRIBUTES];
        int attrs = 0;
        for (;;) {
            Py_ssize_t q = skip_space(s, n, p);
            if (q < n && (s[q] == '>' || s[q] == '/')) {
                p = q;
                break;
            }
            if (q == p || attrs == MAX_ATTRIBUTES)
                return 0;  /* attributes not apart, or too many to compare */
            Py_ssize_t a = q;
            Py_ssize_t alen = xml_name(s, n, &q);
            if (alen == 0)
                return 0;
            for (int m = 0; m < attrs; m++)
                if (attr_len[m] == alen && memcmp(s + attr_at[m], s + a, (size_t)alen) == 0)
                    return 0;  /* the same attribute twice */
            attr_at[attrs] = a;
            attr_len[attrs] = alen;
            attrs++;
            q = skip_space(s, n, q);
            if (!(q < n && s[q] == '='))
                return 0;
            q = skip_space(s, n, q + 1);
            if (!(q < n && (s[q] == '"' || s[q] == '\'')))
                return 0;
            unsigned char quote = s[q++];
            if (!xml_text(s, n, &q, quote) || !(q < n && s[q] == quote))
                return 0;
            p = q + 1;
        }
        if (s[p] == '/') {
            if (!(p + 1 < n && s[p + 1] == '>'))
                return 0;
            k = p + 2;
        } else {
            if (depth == MAX_DEPTH)
                return 0;
            open_at[depth] = name;
            open_len[depth] = len;
            depth++;
            k = p + 1;
        }
        rooted = 1;
    }
    return rooted && depth == 0;
}

static PyObject *well_formed(PyObject *module, PyObject *arg) {
    (void)module;
    if (!PyBytes_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "well_formed() takes bytes");
        return NULL;
    }
    return PyBool_FromLong(document_well_formed((const unsigned char *)PyBytes_AS_STRING(arg), PyBytes_GET_SIZE(arg)));
}

/* -- the usual cell: a number, perhaps its formula ----------------------------------------- */

/* The chunk of a cell (after "<c ") as plain_xml's NUMBER_CELL or BLANK_CELL takes it, matched
 * at its start: 1 for a number (its text at *v, *vlen), 2 for no value, 0 for neither; a formula's
 * text at *f, *flen (*f < 0: none). */
static int usual_cell(const unsigned char *s, Py_ssize_t n, Py_ssize_t *f, Py_ssize_t *flen, Py_ssize_t *v,
                      Py_ssize_t *vlen) {
    Py_ssize_t k = 0;
    *f = -1;
    if (!at(s, n, 0, "r=\""))
        return 0;
    k = 3;
    while (k < n && s[k] != '"' && s[k] != '<')
        k++;
    if (!(k < n && s[k] == '"'))
        return 0;
    k++;
    if (at(s, n, k, " s=\"")) {  /* (?: s="[0-9]*")? */
        Py_ssize_t d = k + 4;
        while (d < n && s[d] >= '0' && s[d] <= '9')
            d++;
        if (d < n && s[d] == '"')
            k = d + 1;
    }
    if (at(s, n, k, " t=\"n\""))
        k += 6;
    if (at(s, n, k, "/>") || at(s, n, k, "></c>"))
        return 2;
    if (!(k < n && s[k] == '>'))
        return 0;
    k++;
    if (at(s, n, k, "<f>")) {  /* (?:<f>([^<&\r]*)</f>)? */
        Py_ssize_t t = k + 3, e = t;
        while (e < n && s[e] != '<' && s[e] != '&' && s[e] != '\r')
            e++;
        if (at(s, n, e, "</f>")) {
            *f = t;
            *flen = e - t;
            k = e + 4;
        }
    }
    if (at(s, n, k, "<v>")) {
        Py_ssize_t t = k + 3, e = t;
        while (e < n && ((s[e] >= '0' && s[e] <= '9') || s[e] == '-' || s[e] == '+' || s[e] == '.' || s[e] == 'e' ||
                         s[e] == 'E'))
            e++;
        if (e > t && at(s, n, e, "</v></c>")) {
            *v = t;
            *vlen = e - t;
            return 1;
        }
    }
    if (*f >= 0 && (at(s, n, k, "</c>") || at(s, n, k, "<v></v></c>") || at(s, n, k, "<v/></c>")))
        return 2;
    return 0;
}

/* float(text) of the number's text (only [-+0-9.eE]), or -1 with no error set when float()
 * would refuse it. */
static int number_of(const unsigned char *s, Py_ssize_t len, double *out) {
    char small[64];
    char *buf = len < (Py_ssize_t)sizeof(small) ? small : PyMem_Malloc((size_t)len + 1);
    if (buf == NULL)
        return -2;  /* no memory */
    memcpy(buf, s, (size_t)len);
    buf[len] = '\0';
    char *end = NULL;
    double x = PyOS_string_to_double(buf, &end, NULL);
    int got = 0;
    if (x == -1.0 && PyErr_Occurred()) {
        PyErr_Clear();
        got = -1;
    } else if (end != buf + len) {
        got = -1;
    }
    if (buf != small)
        PyMem_Free(buf);
    if (got == 0)
        *out = x;
    return got;
}

static PyObject *values(PyObject *module, PyObject *args) {
    (void)module;
    PyObject *chunks, *refs;
    int formulas = 1;
    if (!PyArg_ParseTuple(args, "O!O|p:values", &PyDict_Type, &chunks, &refs, &formulas))
        return NULL;
    PyObject *seq = PySequence_Tuple(refs);  /* a copy: nothing a key does while looked up can change it */
    if (seq == NULL)
        return NULL;
    Py_ssize_t count = PyTuple_GET_SIZE(seq);
    PyObject *out = PyList_New(count);
    if (out == NULL) {
        Py_DECREF(seq);
        return NULL;
    }
    for (Py_ssize_t k = 0; k < count; k++) {
        PyObject *item = NULL, *chunk = PyDict_GetItemWithError(chunks, PyTuple_GET_ITEM(seq, k));
        if (chunk == NULL && PyErr_Occurred())
            goto fail;
        if (chunk != NULL && PyBytes_CheckExact(chunk)) {  /* as usual_cell: a chunk is bytes, not a subclass */
            Py_INCREF(chunk);  /* held while read: a key's comparison could have dropped it from the dict */
            const unsigned char *s = (const unsigned char *)PyBytes_AS_STRING(chunk);
            Py_ssize_t f, flen, v, vlen;
            double x = 0.0;
            int kind = usual_cell(s, PyBytes_GET_SIZE(chunk), &f, &flen, &v, &vlen);
            if (kind == 1) {
                int got = number_of(s + v, vlen, &x);
                if (got == -2) {
                    Py_DECREF(chunk);
                    PyErr_NoMemory();
                    goto fail;
                }
                if (got < 0)
                    kind = 0;  /* a number-like text float() refuses: no usual cell */
            }
            PyObject *formula = NULL;
            if (kind != 0 && f >= 0) {
                formula = PyUnicode_DecodeUTF8((const char *)s + f, flen, NULL);
                if (formula == NULL) {  /* not UTF-8 (only in a part not yet checked): no usual cell */
                    if (!PyErr_ExceptionMatches(PyExc_UnicodeDecodeError)) {
                        Py_DECREF(chunk);
                        goto fail;
                    }
                    PyErr_Clear();
                    kind = 0;
                }
            }
            if (kind == 1 && !formulas)
                item = PyFloat_FromDouble(x);
            else if (kind == 1)
                item = Py_BuildValue("(dO)", x, formula ? formula : Py_None);
            else if (kind == 2 && formulas)
                item = Py_BuildValue("(OO)", Py_None, formula ? formula : Py_None);
            else
                item = Py_NewRef(Py_None);
            Py_XDECREF(formula);
            Py_DECREF(chunk);
            if (item == NULL)
                goto fail;
        } else {
            item = Py_NewRef(Py_None);
        }
        PyList_SET_ITEM(out, k, item);
    }
    Py_DECREF(seq);
    return out;
fail:
    Py_DECREF(seq);
    Py_DECREF(out);
    return NULL;
}

static PyMethodDef methods[] = {
    {"sheet", sheet, METH_O,
     "sheet(raw) -> ({reference: chunk}, protected) | None: plain_xml's scan of a worksheet part but expat's "
     "check, or None when the part is not in the form answered here."},
    {"well_formed", well_formed, METH_O,
     "well_formed(raw) -> bool: True when raw is a well-formed document in the form every writer of .xlsx uses "
     "(expat would take it); False when not, or not in that form (then ask expat)."},
    {"values", values, METH_VARARGS,
     "values(chunks, refs, formulas=True) -> [(value, formula) | None]: each reference's cell as plain_xml's "
     "NUMBER_CELL (value a float) or BLANK_CELL (value None) reads its chunk, formula the text or None; None for any "
     "other cell.  With formulas=False: the float of a NUMBER_CELL, None for any other cell."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_plain_scan",
                                    "The plain form of a worksheet part, scanned in C (plain_xml).", -1, methods,
                                    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__plain_scan(void) {
    return PyModule_Create(&module);
}
