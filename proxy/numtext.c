/*
 * numtext: XSD number text to JSON number text (see numtext.h).
 */
#include "numtext.h"

#include <string.h>

static int isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int isDigit(char c)
{
    return c >= '0' && c <= '9';
}

static size_t digitRun(const char *s)
{
    size_t n = 0;
    while (isDigit(s[n]))
        n++;
    return n;
}

int numtext_to_json(const char *text, char *out, size_t size)
{
    while (isSpace(*text))
        text++;
    size_t len = strlen(text);
    while (len && isSpace(text[len - 1]))
        len--;
    const char *p = text, *end = text + len;
    size_t o = 0;
    char buf[512];
    if (len == 0 || len >= sizeof(buf) - 2)
        return -1;
    if (*p == '-' || *p == '+')
        if (*p++ == '-')
            buf[o++] = '-';
    size_t int_digits = digitRun(p);
    const char *int_part = p;
    p += int_digits;
    while (int_digits > 1 && *int_part == '0') {   /* "007" -> "7" */
        int_part++;
        int_digits--;
    }
    size_t frac_digits = 0;
    const char *frac = NULL;
    if (*p == '.') {
        frac = ++p;
        frac_digits = digitRun(p);
        p += frac_digits;
    }
    if (int_digits == 0 && frac_digits == 0)
        return -1;
    if (int_digits == 0)
        buf[o++] = '0';
    memcpy(buf + o, int_part, int_digits);
    o += int_digits;
    if (frac_digits) {
        buf[o++] = '.';
        memcpy(buf + o, frac, frac_digits);
        o += frac_digits;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        buf[o++] = *p++;
        if (p < end && (*p == '-' || *p == '+'))
            buf[o++] = *p++;
        size_t exp_digits = digitRun(p);
        if (exp_digits == 0)
            return -1;
        memcpy(buf + o, p, exp_digits);
        o += exp_digits;
        p += exp_digits;
    }
    if (p != end || o + 1 > size)
        return -1;
    memcpy(out, buf, o);
    out[o] = 0;
    return 0;
}
