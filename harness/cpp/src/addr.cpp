#include "sockspec/addr.h"

#include <arpa/inet.h>
#include <sys/un.h>

#include <cstddef>
#include <cstring>

namespace sockspec {

int af(Family family) { return family == Family::kInet ? AF_INET : AF_INET6; }
const char* family_flag(Family family) { return family == Family::kInet ? "inet" : "inet6"; }
const char* family_title(Family family) { return family == Family::kInet ? "IPv4" : "IPv6"; }

namespace {
SockAddr make(Family family, bool loopback, uint16_t port) {
  SockAddr a;
  if (family == Family::kInet) {
    auto* sin = reinterpret_cast<sockaddr_in*>(a.raw());
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    sin->sin_addr.s_addr = htonl(loopback ? INADDR_LOOPBACK : INADDR_ANY);
    *a.len_ptr() = sizeof(sockaddr_in);
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(a.raw());
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    sin6->sin6_addr = loopback ? in6addr_loopback : in6addr_any;
    *a.len_ptr() = sizeof(sockaddr_in6);
  }
  return a;
}
}  // namespace

SockAddr SockAddr::loopback(Family family, uint16_t port) { return make(family, true, port); }
SockAddr SockAddr::any(Family family, uint16_t port) { return make(family, false, port); }

bool SockAddr::parse(const std::string& ip, uint16_t port, SockAddr* out) {
  SockAddr a = make(Family::kInet, false, port);
  auto* sin = reinterpret_cast<sockaddr_in*>(a.raw());
  if (inet_pton(AF_INET, ip.c_str(), &sin->sin_addr) == 1) {
    *out = a;
    return true;
  }
  a = make(Family::kInet6, false, port);
  auto* sin6 = reinterpret_cast<sockaddr_in6*>(a.raw());
  if (inet_pton(AF_INET6, ip.c_str(), &sin6->sin6_addr) == 1) {
    *out = a;
    return true;
  }
  return false;
}

uint16_t SockAddr::port() const {
  if (family() == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(raw())->sin_port);
  if (family() == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(raw())->sin6_port);
  return 0;
}

SockAddr SockAddr::with_port(uint16_t port) const {
  SockAddr a = *this;
  if (family() == AF_INET) reinterpret_cast<sockaddr_in*>(a.raw())->sin_port = htons(port);
  if (family() == AF_INET6) reinterpret_cast<sockaddr_in6*>(a.raw())->sin6_port = htons(port);
  return a;
}

std::string SockAddr::ip() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (family() == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(raw())->sin_addr, buf, sizeof buf);
  } else if (family() == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(raw())->sin6_addr, buf, sizeof buf);
  } else {
    return "?";
  }
  return buf;
}

std::string SockAddr::to_string() const {
  if (family() == AF_INET6) return "[" + ip() + "]:" + std::to_string(port());
  if (family() == AF_INET) return ip() + ":" + std::to_string(port());
  if (family() == AF_UNSPEC) return "AF_UNSPEC";
  if (family() == AF_UNIX) {
    // A path, "@name" for the abstract namespace (leading NUL), or "unnamed".
    const auto* sun = reinterpret_cast<const sockaddr_un*>(raw());
    const size_t path_len = len_ > offsetof(sockaddr_un, sun_path) ? len_ - offsetof(sockaddr_un, sun_path) : 0;
    if (path_len == 0) return "unix:unnamed";
    if (sun->sun_path[0] == '\0') return "unix:@" + std::string(sun->sun_path + 1, path_len - 1);
    return "unix:" + std::string(sun->sun_path, strnlen(sun->sun_path, path_len));
  }
  return "family " + std::to_string(family());
}

SockAddr from_raw(const void* sa, socklen_t len) {
  SockAddr out;
  std::memcpy(out.raw(), sa, len);
  *out.len_ptr() = len;
  return out;
}

}  // namespace sockspec
