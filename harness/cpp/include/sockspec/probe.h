// The frame of every probe: its command line (--family, --json, --help with the
// behaviour's title, claims and sources from the catalog), its actors, its
// observations and its exit status. A probe's main() holds the scenario and
// nothing else:
//
//   int main(int argc, char** argv) {
//     sockspec::Probe probe("tcp_handshake", "A client connect()s ...");
//     return probe.main(argc, argv, [&](sockspec::Probe& p) { ...scenario... });
//   }
//
// The command-line parser (CLI11) stays behind option() and flag(): compiled
// once in probe.cpp instead of in every probe, it was most of a probe's
// compile time.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "sockspec/actor.h"
#include "sockspec/addr.h"
#include "sockspec/catalog.h"
#include "sockspec/event_log.h"
#include "sockspec/names.h"

namespace sockspec {

// A scenario's own option, as declared by Probe::option(); narrowing calls
// chain: p.option("--backlog", backlog, "listen() backlog").range(0, 4096).
// A value outside what it allows is bad usage (exit 2).
class OptionRule {
 public:
  OptionRule& range(int min, int max);
  OptionRule& one_of(std::vector<std::string> choices);
  OptionRule& ipv4_address();

 private:
  friend class Probe;
  explicit OptionRule(void* option) : option_(option) {}
  void* option_;  // the parser's CLI::Option, opaque here
};

class Probe {
 public:
  // name: the behaviour, as the catalog names it; scenario: a paragraph for
  // --help saying what the probe does, step by step.
  Probe(std::string name, std::string scenario);
  ~Probe();

  // The scenario's own flags, declared before main() runs. A variable's value
  // at declaration is the default that --help shows.
  OptionRule& option(const std::string& flag, int& value, const std::string& help);
  OptionRule& option(const std::string& flag, std::string& value, const std::string& help);
  // --flag true|false, for a default of true that a bare flag could not turn off.
  OptionRule& option(const std::string& flag, bool& value, const std::string& help);
  void flag(const std::string& flag, bool& value, const std::string& help);

  Family family() const { return family_; }
  int af() const { return sockspec::af(family_); }
  SockAddr loopback(uint16_t port = 0) const { return SockAddr::loopback(family_, port); }

  // The actor for a side, made on first use ("server", "client", "client-2", ...).
  Actor& actor(const std::string& side);
  Actor& server() { return actor("server"); }
  Actor& client() { return actor("client"); }

  void observe(const std::string& key, nlohmann::json value);
  void note(const std::string& text) { log_->note("probe", text); }
  // Runs steps that must follow each other at once: their output is written
  // after the last (a write could wake the output's reader in between).
  void back_to_back(const std::function<void()>& steps);

  // Parses the command line (exit 2 on bad usage, 0 after --help), runs the
  // scenario, writes the observations. Exit 0 when the scenario ran to its end,
  // 1 when the environment stopped it.
  int main(int argc, char** argv, const std::function<void(Probe&)>& scenario);

 private:
  struct Parser;  // CLI11, opaque here

  const CatalogEntry* entry_;  // nullptr: not in the catalog, which main() reports as bad usage
  std::string scenario_;
  std::unique_ptr<Parser> parser_;
  std::vector<std::unique_ptr<OptionRule>> rules_;
  Family family_ = Family::kInet;
  std::string family_name_ = "inet";
  bool json_ = false;
  double timeout_s_ = 20.0;
  std::unique_ptr<EventLog> log_;
  std::mutex actors_mu_;
  std::map<std::string, std::unique_ptr<Actor>> actors_;
};

}  // namespace sockspec
