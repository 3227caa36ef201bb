// The wide-character API (cchar_t, setcchar, mvadd_wch, get_wch) is only declared with this define.
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <ncursesw/curses.h>
