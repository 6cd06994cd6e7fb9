// src/options.cc
// -----------------------------------------------------------------------------
// Options::with_environment(): the BRAID_* environment variables override the
// fields of Options. The variables are documented in docs/options.md; keep the
// two in step.
// -----------------------------------------------------------------------------
#include <cerrno>
#include <cstdlib>
#include <string>

#include "braid/errors.h"
#include "braid/explore.h"

namespace braid {
namespace {

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return (v != nullptr && v[0] != '\0') ? v : nullptr;
}

std::uint64_t parse_u64(const char* name, const std::string& text) {
  errno = 0;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text.c_str(), &end, 0);
  if (text.empty() || text[0] == '-' || errno != 0 || end == nullptr || *end != '\0') {
    throw ValueError(std::string(name) + "=" + text + ": expected a non-negative integer");
  }
  return v;
}

bool parse_bool(const char* name, const std::string& text) {
  if (text == "1" || text == "true" || text == "yes" || text == "on") return true;
  if (text == "0" || text == "false" || text == "no" || text == "off") return false;
  throw ValueError(std::string(name) + "=" + text + ": expected 0 or 1");
}

// dfs:pb=<k> | dfs:db=<k> | dfs:ipb[=<max>] | dfs:idb[=<max>]
Strategy parse_dfs(const std::string& text) {
  const std::string spec = text.substr(4);
  const std::size_t eq = spec.find('=');
  const std::string key = spec.substr(0, eq);
  const bool has_value = eq != std::string::npos;
  const std::uint64_t k = has_value ? parse_u64("BRAID_STRATEGY", spec.substr(eq + 1)) : 10;
  if (k > 1000) throw ValueError("BRAID_STRATEGY=" + text + ": a dfs bound must be in 0..1000");
  const auto v = static_cast<std::uint32_t>(k);
  if (key == "pb" && has_value) return Strategy::dfs_preemption_bound(v);
  if (key == "db" && has_value) return Strategy::dfs_delay_bound(v);
  if (key == "ipb") return Strategy::dfs_iterative_preemption(v);
  if (key == "idb") return Strategy::dfs_iterative_delay(v);
  throw ValueError("BRAID_STRATEGY=" + text + ": expected dfs:pb=<k>, dfs:db=<k>, dfs:ipb[=<max>] or dfs:idb[=<max>]");
}

Shard parse_shard(const std::string& text) {
  const std::size_t slash = text.find('/');
  if (slash == std::string::npos) throw ValueError("BRAID_SHARD=" + text + ": expected <index>/<count>, e.g. 0/4");
  const std::uint64_t i = parse_u64("BRAID_SHARD", text.substr(0, slash));
  const std::uint64_t n = parse_u64("BRAID_SHARD", text.substr(slash + 1));
  if (n < 1 || n > 1u << 20 || i >= n) {
    throw ValueError("BRAID_SHARD=" + text + ": expected 0 <= index < count (count at most 1048576)");
  }
  return Shard{static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(n)};
}

Strategy parse_strategy(const std::string& text) {
  if (text == "random") return Strategy::random();
  if (text == "pct") return Strategy::pct();
  if (text.rfind("pct:", 0) == 0) {
    const std::uint64_t depth = parse_u64("BRAID_STRATEGY", text.substr(4));
    if (depth < 1 || depth > 1000) throw ValueError("BRAID_STRATEGY=" + text + ": PCT depth must be in 1..1000");
    return Strategy::pct(static_cast<std::uint32_t>(depth));
  }
  if (text.rfind("replay:", 0) == 0) return Strategy::replay(text.substr(7));
  if (text == "dfs") return Strategy::dfs();
  if (text.rfind("dfs:", 0) == 0) return parse_dfs(text);
  throw ValueError("BRAID_STRATEGY=" + text +
                   ": expected random, pct, pct:<depth>, dfs, dfs:pb=<k>, dfs:db=<k>, dfs:ipb[=<max>], "
                   "dfs:idb[=<max>] or replay:<token>");
}

}  // namespace

Strategy Strategy::parse(const std::string& text) { return parse_strategy(text); }

Options Options::with_environment() const {
  Options o = *this;
  if (!apply_environment) return o;
  if (const char* v = env("BRAID_STRATEGY")) o.strategy = parse_strategy(v);
  if (const char* v = env("BRAID_REPLAY")) o.strategy = Strategy::replay(v);
  if (const char* v = env("BRAID_SEED")) o.seed = parse_u64("BRAID_SEED", v);
  if (const char* v = env("BRAID_EXECUTIONS")) o.executions = parse_u64("BRAID_EXECUTIONS", v);
  if (const char* v = env("BRAID_MAX_STEPS")) o.max_steps = parse_u64("BRAID_MAX_STEPS", v);
  if (const char* v = env("BRAID_TIME_BUDGET_MS")) {
    o.time_budget = std::chrono::milliseconds(parse_u64("BRAID_TIME_BUDGET_MS", v));
  }
  if (const char* v = env("BRAID_SPURIOUS")) o.spurious_wakeups = parse_bool("BRAID_SPURIOUS", v);
  if (const char* v = env("BRAID_STOP_ON_FAILURE")) o.stop_on_failure = parse_bool("BRAID_STOP_ON_FAILURE", v);
  if (const char* v = env("BRAID_SHRINK")) o.shrink = parse_bool("BRAID_SHRINK", v);
  if (const char* v = env("BRAID_SHRINK_ATTEMPTS")) o.shrink_attempts = parse_u64("BRAID_SHRINK_ATTEMPTS", v);
  if (const char* v = env("BRAID_SHARD")) o.shard = parse_shard(v);
  if (o.shard.count == 0 || o.shard.index >= o.shard.count) {
    throw ValueError("Options::shard: expected 0 <= index < count");
  }
  if (o.max_steps == 0) throw ValueError("BRAID_MAX_STEPS must be at least 1");
  return o;
}

}  // namespace braid
