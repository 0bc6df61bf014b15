#include "sockspec/probe.h"

#include <signal.h>
#include <unistd.h>

#include <cstring>
#include <iostream>

#include "sockspec/names.h"

namespace sockspec {

namespace {
const char* g_probe_name = "probe";
bool g_json = false;

// A probe that hangs is a defect to report, not to wait out: the alarm ends it
// with exit 1 and a line saying so.
void on_alarm(int) {
  const char* human = ": timed out (--timeout-s); the scenario did not finish\n";
  const char* machine = "{\"error\":{\"message\":\"timed out\",\"call\":\"\",\"errno\":0}}\n";
  if (g_json) {
    (void)!write(STDOUT_FILENO, machine, strlen(machine));
  }
  (void)!write(STDERR_FILENO, g_probe_name, strlen(g_probe_name));
  (void)!write(STDERR_FILENO, human, strlen(human));
  _exit(1);
}

std::string footer(const ProbeInfo& info) {
  std::string claims;
  for (const auto& c : info.claims) claims += (claims.empty() ? "" : ", ") + c;
  return "\n" + info.behaviour + "\n\nEvidence for: " + claims +
         "\n\nThe probe runs both ends itself on loopback and reports what happened; it does not\n"
         "judge. Run it in a fresh namespace with capture: scripts/sockspec probe " + info.name +
         "\n\nExit status: 0 the scenario ran to its end (whatever it observed), 1 the environment\n"
         "stopped it (the failed call is printed), 2 bad usage.";
}
}  // namespace

Probe::Probe(ProbeInfo info) : info_(std::move(info)), app_(info_.summary, info_.name) {
  app_.footer(footer(info_));
  app_.get_formatter()->column_width(30);
  app_.add_option("--family", family_name_, "address family: inet (IPv4) or inet6 (IPv6)")
      ->check(CLI::IsMember({"inet", "inet6"}))
      ->capture_default_str();
  app_.add_flag("--json", json_, "write JSON lines (events, then observations) instead of a narrative");
  app_.add_option("--timeout-s", timeout_s_, "give up after this many seconds (exit 1)")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
}

Actor& Probe::actor(const std::string& side) {
  std::lock_guard lock(actors_mu_);
  auto& slot = actors_[side];
  if (!slot) slot = std::make_unique<Actor>(*log_, side);
  return *slot;
}

void Probe::observe(const std::string& key, nlohmann::json value) { log_->observe(key, std::move(value)); }

int Probe::main(int argc, char** argv, const std::function<void(Probe&)>& scenario) {
  g_probe_name = argv[0];
  try {
    app_.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app_.help();
    return 0;
  } catch (const CLI::ParseError& e) {
    std::string message = e.what();
    for (char& c : message)
      if (c == '\n') c = ' ';
    std::cerr << info_.name << ": error: " << message << " (see --help)\n";
    return 2;
  }
  family_ = family_name_ == "inet6" ? Family::kInet6 : Family::kInet;
  g_json = json_;
  log_ = std::make_unique<EventLog>(std::cout, json_ ? OutputFormat::kJsonLines : OutputFormat::kNarrative);

  nlohmann::json args = nlohmann::json::array();
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
  log_->header({{"name", info_.name},
                {"summary", info_.summary},
                {"claims", info_.claims},
                {"family", family_flag(family_)},
                {"family_title", family_title(family_)},
                {"args", args},
                {"pid", getpid()}});

  signal(SIGALRM, on_alarm);
  alarm(static_cast<unsigned>(timeout_s_ + 0.999));
  try {
    scenario(*this);
  } catch (const EnvironmentFailure& e) {
    log_->error(e.what(), e.call(), e.err());
    std::cerr << info_.name << ": " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    log_->error(e.what(), "", 0);
    std::cerr << info_.name << ": " << e.what() << "\n";
    return 1;
  }
  alarm(0);
  log_->finish();
  return 0;
}

}  // namespace sockspec
