#include "sockspec/probe.h"

#include <signal.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <iostream>

#include <CLI/CLI.hpp>

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

std::string joined(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

std::string footer(const CatalogEntry& entry, const std::string& scenario) {
  return "\n" + scenario + "\n\nEvidence for: " + (entry.claims.empty() ? "no seed claim" : joined(entry.claims)) +
         "\nSources: " + joined(entry.sources) +
         "\n\nThe probe runs both ends itself on loopback and reports what happened; it does not\n"
         "judge. Run it in a fresh namespace with capture: scripts/sockspec probe " + entry.name +
         "\n\nExit status: 0 the scenario ran to its end (whatever it observed), 1 the environment\n"
         "stopped it (the failed call is printed), 2 bad usage.";
}

CLI::Option* as_option(void* option) { return static_cast<CLI::Option*>(option); }
}  // namespace

struct Probe::Parser {
  CLI::App app;
};

OptionRule& OptionRule::range(int min, int max) {
  as_option(option_)->check(CLI::Range(min, max));
  return *this;
}

OptionRule& OptionRule::one_of(std::vector<std::string> choices) {
  as_option(option_)->check(CLI::IsMember(std::move(choices)));
  return *this;
}

OptionRule& OptionRule::ipv4_address() {
  as_option(option_)->check(CLI::ValidIPV4);
  return *this;
}

Probe::Probe(std::string name, std::string scenario)
    : entry_(find_catalog_entry(name)), scenario_(std::move(scenario)), parser_(std::make_unique<Parser>()) {
  static const CatalogEntry unknown;
  const CatalogEntry& entry = entry_ ? *entry_ : unknown;
  CLI::App& app = parser_->app;
  app.name(name);
  app.description(entry.title);
  app.footer(footer(entry, scenario_));
  app.get_formatter()->column_width(30);
  app.add_option("--family", family_name_, "address family: inet (IPv4) or inet6 (IPv6)")
      ->check(CLI::IsMember({"inet", "inet6"}))
      ->capture_default_str();
  app.add_flag("--json", json_, "write JSON lines (events, then observations) instead of a narrative");
  // Range() alone lets NaN through (every comparison with it is false), and a
  // NaN timeout would turn the watchdog off.
  app.add_option("--timeout-s", timeout_s_, "give up after this many seconds (exit 1)")
      ->check(CLI::Validator([](std::string& text) {
        double value = 0;
        try {
          value = std::stod(text);
        } catch (const std::exception&) {
          return std::string("not a number: ") + text;
        }
        return std::isfinite(value) && value >= 0.1 && value <= 3600.0
                   ? std::string()
                   : std::string("must be between 0.1 and 3600 seconds, not ") + text;
      }, "0.1 to 3600"))
      ->capture_default_str();
}

Probe::~Probe() = default;

OptionRule& Probe::option(const std::string& flag, int& value, const std::string& help) {
  CLI::Option* option = parser_->app.add_option(flag, value, help)->capture_default_str();
  return *rules_.emplace_back(new OptionRule(option));
}

OptionRule& Probe::option(const std::string& flag, std::string& value, const std::string& help) {
  CLI::Option* option = parser_->app.add_option(flag, value, help)->capture_default_str();
  return *rules_.emplace_back(new OptionRule(option));
}

OptionRule& Probe::option(const std::string& flag, bool& value, const std::string& help) {
  CLI::Option* option = parser_->app.add_option(flag, value, help)->capture_default_str();
  return *rules_.emplace_back(new OptionRule(option));
}

void Probe::flag(const std::string& flag, bool& value, const std::string& help) {
  parser_->app.add_flag(flag, value, help);
}

Actor& Probe::actor(const std::string& side) {
  std::lock_guard lock(actors_mu_);
  auto& slot = actors_[side];
  if (!slot) slot = std::make_unique<Actor>(*log_, side);
  return *slot;
}

void Probe::observe(const std::string& key, nlohmann::json value) { log_->observe(key, std::move(value)); }

void Probe::back_to_back(const std::function<void()>& steps) {
  struct Release {
    EventLog& log;
    ~Release() { log.hold(false); }
  } release{*log_};
  log_->hold(true);
  steps();
}

int Probe::main(int argc, char** argv, const std::function<void(Probe&)>& scenario) {
  g_probe_name = argv[0];
  const std::string& name = parser_->app.get_name();
  if (!entry_) {
    std::cerr << name << ": error: the catalog has no behaviour named " << name
              << " (catalog/behaviours/*.toml)\n";
    return 2;
  }
  try {
    parser_->app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << parser_->app.help();
    return 0;
  } catch (const CLI::ParseError& e) {
    std::string message = e.what();
    for (char& c : message)
      if (c == '\n') c = ' ';
    std::cerr << name << ": error: " << message << " (see --help)\n";
    return 2;
  }
  family_ = family_name_ == "inet6" ? Family::kInet6 : Family::kInet;
  g_json = json_;
  log_ = std::make_unique<EventLog>(std::cout, json_ ? OutputFormat::kJsonLines : OutputFormat::kNarrative);

  nlohmann::json args = nlohmann::json::array();
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
  log_->header({{"name", entry_->name},
                {"summary", entry_->title},
                {"claims", entry_->claims},
                {"sources", entry_->sources},
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
    std::cerr << name << ": " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    log_->error(e.what(), "", 0);
    std::cerr << name << ": " << e.what() << "\n";
    return 1;
  }
  alarm(0);
  log_->finish();
  return 0;
}

}  // namespace sockspec
