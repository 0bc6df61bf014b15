#include "sockspec/capabilities.h"

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace sockspec {

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

}  // namespace sockspec
