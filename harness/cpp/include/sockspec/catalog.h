// A behaviour's entry in the catalog (catalog/behaviours/*.toml), compiled in
// from a table that the build generates from the catalog, so that a probe's
// --help and its JSON header say what the catalog says and nothing else.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sockspec {

struct CatalogEntry {
  std::string name;                  // "tcp_listen_backlog": the probe, its tests, its report row
  std::string title;                 // the behaviour as a fact, one line
  std::vector<std::string> claims;   // the seed's claims it gives evidence for: "SEED-12"
  std::vector<std::string> sources;  // where the behaviour is documented: "listen(2)", "RFC 9293 §3.5"
};

// The entry named `name`, or nullptr when the catalog has none.
const CatalogEntry* find_catalog_entry(std::string_view name);

}  // namespace sockspec
