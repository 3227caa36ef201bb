// OpenBLAS's CBLAS interface (Debian: libopenblas-dev; pkg-config "openblas" points at the header).
#include <cblas.h>
