// Debian's zlib (zlib1g-dev): gzip for the web UI's static files.
#include <zlib.h>
