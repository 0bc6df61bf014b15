// IPv4/IPv6 socket addresses as one value type, so probes are written once for both families.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>

namespace sockspec {

enum class Family { kInet, kInet6 };

// AF_INET or AF_INET6.
int af(Family family);
// "inet" / "inet6", the spelling of --family.
const char* family_flag(Family family);
// "IPv4" / "IPv6", for narratives.
const char* family_title(Family family);

class SockAddr {
 public:
  SockAddr() = default;

  // 127.0.0.1 or ::1 with the given port (host byte order).
  static SockAddr loopback(Family family, uint16_t port = 0);
  // 0.0.0.0 or :: with the given port (host byte order).
  static SockAddr any(Family family, uint16_t port = 0);
  // Parses a numeric IPv4 or IPv6 address; returns false if it is neither.
  static bool parse(const std::string& ip, uint16_t port, SockAddr* out);

  sockaddr* raw() { return reinterpret_cast<sockaddr*>(&storage_); }
  const sockaddr* raw() const { return reinterpret_cast<const sockaddr*>(&storage_); }
  socklen_t len() const { return len_; }
  socklen_t* len_ptr() { return &len_; }
  // Capacity for calls that fill the address in (accept, getsockname).
  void prepare_for_output() { len_ = sizeof(storage_); }

  int family() const { return storage_.ss_family; }
  uint16_t port() const;  // host byte order
  SockAddr with_port(uint16_t port) const;
  std::string ip() const;
  // "127.0.0.1:80" or "[::1]:80".
  std::string to_string() const;

 private:
  sockaddr_storage storage_{};
  socklen_t len_ = 0;
};

// A SockAddr holding exactly these bytes (a sockaddr_in/sockaddr_in6 filled in by hand).
SockAddr from_raw(const void* sa, socklen_t len);

}  // namespace sockspec
