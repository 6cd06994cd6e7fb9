// src/fuzz.cc
// -----------------------------------------------------------------------------
// braid::run_bytes and braid::fuzz_token (braid/fuzz.h): one execution under
// the bytes strategy (strategies/bytes_scheduler.cc), reported like explore()
// reports a failure, on an engine that each OS thread keeps from call to call
// (a fuzzer calls run_bytes thousands of times a second).
// -----------------------------------------------------------------------------
#include "braid/fuzz.h"

#include <chrono>
#include <memory>
#include <stdexcept>
#include <utility>

#include "src/runner.h"

namespace braid {
namespace engine {
// src/fuzz_features.cc: the interleaving features of a finished execution.
void interleaving_features(const StepLog& log, std::vector<std::uint32_t>& out);
}  // namespace engine

namespace {

using Clock = std::chrono::steady_clock;

// This OS thread's engine: the body slot the Runner refers to, and the
// options it was built with (rebuilt when the ones that matter change).
struct FuzzEngine {
  std::function<void()> body;
  Options options;
  std::unique_ptr<engine::Runner> runner;
};

bool same_engine_options(const Options& a, const Options& b) {
  return a.max_steps == b.max_steps && a.spurious_wakeups == b.spurious_wakeups && a.shrink == b.shrink &&
         a.shrink_attempts == b.shrink_attempts;
}

// Installs `body` in this OS thread's engine (built for `options`) for the
// life of the object, and lends its Runner.
class Installed {
 public:
  Installed(const Options& options, std::function<void()> body) : engine_(engine()) {
    if (!engine_.runner || !same_engine_options(engine_.options, options)) {
      engine_.runner.reset();
      engine_.options = options;
      engine_.runner = std::make_unique<engine::Runner>(engine_.options, engine_.body);
    }
    engine_.body = std::move(body);
  }
  ~Installed() { engine_.body = nullptr; }
  Installed(const Installed&) = delete;
  Installed& operator=(const Installed&) = delete;

  engine::Runner& runner() noexcept { return *engine_.runner; }

 private:
  static FuzzEngine& engine() {
    thread_local FuzzEngine e;
    return e;
  }
  FuzzEngine& engine_;
};

Options effective(const Options& given) {
  if (in_execution()) throw std::logic_error("braid::run_bytes called inside an explored execution");
  return given.apply_environment ? given.with_environment() : given;
}

report::TokenData fuzz_token_data() {
  report::TokenData token;
  token.strategy = report::StrategyKind::kFuzz;
  return token;
}

}  // namespace

Report run_bytes(const Options& given, std::span<const std::uint8_t> bytes, std::function<void()> body,
                 std::vector<std::uint32_t>* features) {
  const Options options = effective(given);
  const auto start = Clock::now();
  Installed installed(options, std::move(body));
  engine::Runner& runner = installed.runner();
  auto scheduler = engine::make_bytes_scheduler(bytes);
  runner.run(*scheduler, 0);
  if (features != nullptr) {
    features->clear();
    engine::interleaving_features(runner.execution().steps(), *features);
  }
  Report report;
  report.executions = 1;
  if (!runner.execution().failed()) {
    report.steps = runner.execution().steps().size();
    report.preemptions = runner.execution().preemptions();
  } else {
    runner.report_failure(fuzz_token_data(), report);
  }
  report.wall_time = Clock::now() - start;
  return report;
}

std::string fuzz_token(const Options& given, std::span<const std::uint8_t> bytes, std::function<void()> body) {
  const Options options = effective(given);
  Installed installed(options, std::move(body));
  engine::Runner& runner = installed.runner();
  auto scheduler = engine::make_bytes_scheduler(bytes);
  runner.run(*scheduler, 0);
  report::TokenData token = fuzz_token_data();
  token.choices = runner.execution().choices();
  return report::encode_token(token);
}

}  // namespace braid
