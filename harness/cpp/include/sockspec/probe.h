// The frame of every probe: its command line (--family, --json, --help with the
// behaviour and the claims it checks), its actors, its observations and its
// exit status. A probe's main() holds the scenario and nothing else:
//
//   int main(int argc, char** argv) {
//     sockspec::Probe probe({"tcp_handshake", "...", "...", {"SEED-1"}});
//     return probe.main(argc, argv, [&](sockspec::Probe& p) { ...scenario... });
//   }
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "sockspec/actor.h"
#include "sockspec/addr.h"
#include "sockspec/event_log.h"
#include "sockspec/names.h"

namespace sockspec {

struct ProbeInfo {
  std::string name;                 // "tcp_listen_backlog": the probe, its test and its report row
  std::string summary;              // one line
  std::string behaviour;            // a paragraph for --help: what happens and why it matters
  std::vector<std::string> claims;  // what it gives evidence for: "SEED-12", "listen(2)", ...
};

class Probe {
 public:
  explicit Probe(ProbeInfo info);

  // Add the scenario's own flags here before main() runs.
  CLI::App& cli() { return app_; }

  Family family() const { return family_; }
  int af() const { return sockspec::af(family_); }
  SockAddr loopback(uint16_t port = 0) const { return SockAddr::loopback(family_, port); }

  // The actor for a side, made on first use ("server", "client", "client-2", ...).
  Actor& actor(const std::string& side);
  Actor& server() { return actor("server"); }
  Actor& client() { return actor("client"); }

  void observe(const std::string& key, nlohmann::json value);
  void note(const std::string& text) { log_->note("probe", text); }

  // Parses the command line (exit 2 on bad usage, 0 after --help), runs the
  // scenario, writes the observations. Exit 0 when the scenario ran to its end,
  // 1 when the environment stopped it.
  int main(int argc, char** argv, const std::function<void(Probe&)>& scenario);

 private:
  ProbeInfo info_;
  CLI::App app_;
  Family family_ = Family::kInet;
  std::string family_name_ = "inet";
  bool json_ = false;
  double timeout_s_ = 20.0;
  std::unique_ptr<EventLog> log_;
  std::mutex actors_mu_;
  std::map<std::string, std::unique_ptr<Actor>> actors_;
};

}  // namespace sockspec
