// The JSON type of observations and events. Its member functions are compiled
// once, in json.cpp, rather than again in every probe that uses them: with
// the parser's, they were most of what a probe took to compile.
#pragma once

#include <nlohmann/json.hpp>

extern template class nlohmann::basic_json<>;
