// XGBoost's C API from Debian's libxgboost-dev (1.7.4). No Swift code in this target.
#include <xgboost/c_api.h>
