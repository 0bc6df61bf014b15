#include "sockspec/sysctl.h"

#include <fstream>
#include <sstream>

#include "sockspec/observed.h"

namespace sockspec {

std::optional<std::string> read_sysctl(const std::string& name) {
  std::string path = "/proc/sys/" + name;
  for (char& c : path)
    if (c == '.') c = '/';
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::string value;
  std::getline(in, value);
  for (char& c : value)
    if (c == '\t') c = ' ';
  return value;
}

nlohmann::json sysctl_text(const std::string& name) {
  return observed_or(read_sysctl(name), "this kernel has no " + name);
}

nlohmann::json sysctl_int(const std::string& name) {
  const std::optional<std::string> text = read_sysctl(name);
  if (!text) return unobservable("this kernel has no " + name);
  return std::stoi(*text);
}

nlohmann::json local_port_range() {
  const auto text = read_sysctl("net.ipv4.ip_local_port_range");
  std::istringstream in(text.value_or(""));
  int low = 0, high = 0;
  if (!(in >> low >> high)) return unobservable("net.ipv4.ip_local_port_range cannot be read");
  return {low, high};
}

}  // namespace sockspec
