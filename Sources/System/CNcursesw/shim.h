// The wide-character API (cchar_t, setcchar, mvadd_wch, get_wch) is only declared with this define.
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <langinfo.h>
#include <ncursesw/curses.h>

// Swift 6 rejects curses' global variables (stdscr, COLORS, COLOR_PAIRS, LINES, COLS) as shared
// mutable state, and does not import the attribute macros: small accessors instead.
static inline WINDOW *s2m_stdscr(void) { return stdscr; }
static inline int s2m_colors(void) { return COLORS; }
static inline int s2m_color_pairs(void) { return COLOR_PAIRS; }
static inline int s2m_lines(void) { return LINES; }
static inline int s2m_cols(void) { return COLS; }
static inline attr_t s2m_attr_bold(void) { return A_BOLD; }
static inline attr_t s2m_attr_reverse(void) { return A_REVERSE; }
static inline attr_t s2m_attr_underline(void) { return A_UNDERLINE; }
static inline attr_t s2m_attr_normal(void) { return A_NORMAL; }

// One cell: glyph, attributes and a colour pair of any number (pairs above 255 go through the
// extended `opts` argument of setcchar). Returns ERR or OK like curses.
static inline int s2m_put_cell(int y, int x, wchar_t glyph, attr_t attributes, int pair) {
    cchar_t cell;
    wchar_t text[2] = { glyph, 0 };
    short small = pair > 255 ? 0 : (short)pair;
    if (setcchar(&cell, text, attributes, small, &pair) != OK) return ERR;
    return mvwadd_wch(stdscr, y, x, &cell);
}

// The locale's character set is UTF-8 (call after setlocale).
static inline int s2m_codeset_is_utf8(void) {
    const char *codeset = nl_langinfo(CODESET);
    if (!codeset) return 0;
    return (codeset[0] == 'U' || codeset[0] == 'u') && (codeset[1] == 'T' || codeset[1] == 't')
        && (codeset[2] == 'F' || codeset[2] == 'f');
}
