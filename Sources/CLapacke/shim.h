// LAPACKE from Debian's liblapacke-dev, BLAS/LAPACK from libopenblas-dev. No Swift code in this target.
#include <lapacke.h>
