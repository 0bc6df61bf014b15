#include "sockspec/json.h"

template class nlohmann::basic_json<>;
