#include "sockspec/socket_api_util.h"

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <sstream>

#include "sockspec/names.h"
#include "sockspec/state.h"

namespace sockspec::socket_api {

SockAddr from_raw(const void* sa, socklen_t len) {
  SockAddr out;
  std::memcpy(out.raw(), sa, len);
  *out.len_ptr() = len;
  return out;
}

namespace {
bool read_caps(__user_cap_data_struct (&data)[2]) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  return syscall(SYS_capget, &header, data) == 0;
}
}  // namespace

bool has_capability(int cap) {
  __user_cap_data_struct data[2]{};
  if (!read_caps(data)) return false;
  return data[cap / 32].effective & (1u << (cap % 32));
}

SysResult drop_capability(Actor& actor, int cap, const std::string& cap_name) {
  return actor.record("capset", {{"drop", cap_name}, {"scope", "this thread"}},
                      "capset({v3, pid=0}, {effective, permitted, inheritable} minus " + cap_name + ")", [&] {
                        __user_cap_data_struct data[2]{};
                        if (!read_caps(data)) return -1L;
                        const unsigned bit = 1u << (cap % 32);
                        data[cap / 32].effective &= ~bit;
                        data[cap / 32].permitted &= ~bit;
                        data[cap / 32].inheritable &= ~bit;
                        __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
                        return syscall(SYS_capset, &header, data);
                      });
}

std::pair<int, int> local_port_range() {
  const auto text = read_sysctl("net.ipv4.ip_local_port_range");
  if (!text) return {-1, -1};
  std::istringstream in(*text);
  int low = -1, high = -1;
  in >> low >> high;
  return {low, high};
}

}  // namespace sockspec::socket_api
