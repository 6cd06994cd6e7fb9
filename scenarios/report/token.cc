// Replay tokens: the payload layout and its strict parser (format in token.h).
#include "report/token.h"

#include <algorithm>
#include <unordered_map>
#include <limits>
#include <string>

namespace braid::report {
namespace {

enum Encoding : std::uint8_t { kVarints = 0, kRuns = 1, kPacked = 2, kSparse = 3 };

constexpr std::uint64_t kMaxStrategy = static_cast<std::uint64_t>(StrategyKind::kFuzz);

// -- Writing ----------------------------------------------------------------------

std::size_t varint_size(std::uint64_t v) noexcept {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

void put_varint(std::vector<std::uint8_t>& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<std::uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<std::uint8_t>(v));
}

// Calls fn(value, length) for each run of equal choices.
template <typename F>
void for_each_run(const std::vector<std::uint32_t>& choices, F&& fn) {
  for (std::size_t i = 0; i < choices.size();) {
    std::size_t j = i + 1;
    while (j < choices.size() && choices[j] == choices[i]) ++j;
    fn(choices[i], j - i);
    i = j;
  }
}

unsigned bit_width_of(std::uint32_t v) noexcept {
  unsigned w = 0;
  while (v != 0) {
    v >>= 1;
    ++w;
  }
  return w;
}

// The sizes (in bytes, after the encoding byte) of each encoding of a list,
// and what the packed and sparse encodings need. Computed run by run, so that
// long runs cost little.
struct Plan {
  std::size_t varints = 0, runs = 0, packed = 0, sparse = 0;
  unsigned width = 0;             // packed: bits of the largest choice
  std::uint32_t common = 0;       // sparse: the most frequent choice
  unsigned sparse_width = 0;      // sparse: bits of the largest other choice
  std::size_t exceptions = 0;     // sparse: choices other than `common`
};

// Calls fn(gap, value, repeat) for each run of exceptions of the sparse
// encoding: the first has `gap` common choices before it, the others none.
template <typename F>
void for_each_exception_run(const std::vector<std::uint32_t>& choices, std::uint32_t common, F&& fn) {
  std::uint64_t gap = 0;
  for_each_run(choices, [&](std::uint32_t v, std::size_t n) {
    if (v == common) {
      gap += n;
    } else {
      fn(gap, v, n);
      gap = 0;
    }
  });
}

Plan plan_choices(const std::vector<std::uint32_t>& choices) {
  Plan p;
  std::unordered_map<std::uint32_t, std::size_t> counts;
  std::uint32_t max = 0;
  for_each_run(choices, [&](std::uint32_t v, std::size_t n) {
    p.varints += n * varint_size(v);
    p.runs += varint_size(v) + varint_size(n - 1);
    max = std::max(max, v);
    counts[v] += n;
  });
  p.width = bit_width_of(max);
  p.packed = 1 + (choices.size() * p.width + 7) / 8;
  std::size_t best = 0;
  std::uint32_t other_max = 0;
  for (auto [v, n] : counts) {
    if (n > best || (n == best && v < p.common)) {
      best = n;
      p.common = v;
    }
  }
  for (auto [v, n] : counts)
    if (v != p.common) other_max = std::max(other_max, v);
  p.sparse_width = bit_width_of(other_max);
  p.exceptions = choices.size() - best;
  p.sparse = varint_size(p.common) + 1 + varint_size(p.exceptions);
  for_each_exception_run(choices, p.common, [&](std::uint64_t gap, std::uint32_t v, std::size_t n) {
    p.sparse += varint_size((gap << p.sparse_width) | v) + (n - 1) * varint_size(v);
  });
  return p;
}

void put_choices(std::vector<std::uint8_t>& out, const std::vector<std::uint32_t>& choices) {
  const Plan p = plan_choices(choices);
  const std::size_t best = std::min({p.varints, p.runs, p.packed, p.sparse});
  if (best == p.varints) {
    out.push_back(kVarints);
    for (std::uint32_t c : choices) put_varint(out, c);
  } else if (best == p.packed) {
    out.push_back(kPacked);
    out.push_back(static_cast<std::uint8_t>(p.width));
    std::uint64_t acc = 0;
    unsigned bits = 0;
    for (std::uint32_t c : choices) {
      acc |= std::uint64_t{c} << bits;
      bits += p.width;
      while (bits >= 8) {
        out.push_back(static_cast<std::uint8_t>(acc & 0xff));
        acc >>= 8;
        bits -= 8;
      }
    }
    if (bits > 0) out.push_back(static_cast<std::uint8_t>(acc & 0xff));
  } else if (best == p.runs) {
    out.push_back(kRuns);
    for_each_run(choices, [&](std::uint32_t v, std::size_t n) {
      put_varint(out, v);
      put_varint(out, n - 1);
    });
  } else {
    out.push_back(kSparse);
    put_varint(out, p.common);
    out.push_back(static_cast<std::uint8_t>(p.sparse_width));
    put_varint(out, p.exceptions);
    for_each_exception_run(choices, p.common, [&](std::uint64_t gap, std::uint32_t v, std::size_t n) {
      put_varint(out, (gap << p.sparse_width) | v);
      for (std::size_t i = 1; i < n; ++i) put_varint(out, v);
    });
  }
}

std::uint32_t prefix_crc() noexcept {
  return detail::crc32(reinterpret_cast<const std::uint8_t*>(kTokenPrefix.data()), kTokenPrefix.size());
}

// -- Reading ----------------------------------------------------------------------

[[noreturn]] void bad_payload(const std::string& what) {
  throw ValueError("replay token is malformed: " + what);
}

class Reader {
 public:
  Reader(const std::uint8_t* data, std::size_t size) : p_(data), end_(data + size) {}

  std::size_t remaining() const noexcept { return static_cast<std::size_t>(end_ - p_); }

  std::uint64_t varint(const char* field) {
    std::uint64_t v = 0;
    for (unsigned shift = 0;; shift += 7) {
      if (p_ == end_) bad_payload(std::string("truncated varint in field '") + field + "'");
      std::uint8_t b = *p_++;
      if (shift == 63 && b > 1) bad_payload(std::string("varint in field '") + field + "' overflows 64 bits");
      v |= std::uint64_t{b & 0x7fu} << shift;
      if ((b & 0x80) == 0) return v;
      if (shift == 63) bad_payload(std::string("varint in field '") + field + "' overflows 64 bits");
    }
  }

  std::uint32_t varint32(const char* field) {
    std::uint64_t v = varint(field);
    if (v > std::numeric_limits<std::uint32_t>::max()) {
      bad_payload(std::string("field '") + field + "' is " + std::to_string(v) +
                  ", more than 32 bits allow");
    }
    return static_cast<std::uint32_t>(v);
  }

  std::uint8_t byte(const char* field) {
    if (p_ == end_) bad_payload(std::string("missing field '") + field + "'");
    return *p_++;
  }

  const std::uint8_t* take(std::size_t n) {
    const std::uint8_t* at = p_;
    p_ += n;
    return at;
  }

 private:
  const std::uint8_t* p_;
  const std::uint8_t* end_;
};

[[noreturn]] void too_few(std::uint64_t count) {
  bad_payload("it declares " + std::to_string(count) + " choices but holds fewer");
}

void read_varint_choices(Reader& in, std::uint64_t count, std::vector<std::uint32_t>& out) {
  // Each choice takes at least one byte: a count the bytes cannot hold is
  // refused before anything is allocated.
  if (count > in.remaining()) too_few(count);
  out.reserve(count);
  for (std::uint64_t i = 0; i < count; ++i) out.push_back(in.varint32("choice"));
}

void read_run_choices(Reader& in, std::uint64_t count, std::vector<std::uint32_t>& out) {
  // Runs describe many choices in few bytes, so the vector grows with the runs
  // actually present rather than with the declared count.
  while (out.size() < count) {
    if (in.remaining() == 0) too_few(count);
    std::uint32_t value = in.varint32("run value");
    std::uint64_t extra = in.varint("run length");
    if (extra >= count - out.size()) {
      bad_payload("a run of " + std::to_string(extra) + "+1 choices overflows the declared count " +
                  std::to_string(count));
    }
    out.insert(out.end(), static_cast<std::size_t>(extra) + 1, value);
  }
}

void read_packed_choices(Reader& in, std::uint64_t count, std::vector<std::uint32_t>& out) {
  unsigned width = in.byte("packed width");
  if (width > 32) bad_payload("packed width " + std::to_string(width) + " is more than 32 bits");
  std::uint64_t bytes = (count * width + 7) / 8;  // count <= kMaxTokenChoices: no overflow
  if (bytes > in.remaining()) too_few(count);
  const std::uint8_t* data = in.take(static_cast<std::size_t>(bytes));
  out.reserve(count);
  std::uint64_t acc = 0;
  unsigned bits = 0;
  std::size_t next = 0;
  const std::uint64_t mask = (std::uint64_t{1} << width) - 1;
  for (std::uint64_t i = 0; i < count; ++i) {
    while (bits < width) {
      acc |= std::uint64_t{data[next++]} << bits;
      bits += 8;
    }
    out.push_back(static_cast<std::uint32_t>(acc & mask));
    acc >>= width;
    bits -= width;
  }
  if (acc != 0) bad_payload("non-zero padding bits after the packed choices");
}

void read_sparse_choices(Reader& in, std::uint64_t count, std::vector<std::uint32_t>& out) {
  std::uint32_t common = in.varint32("sparse common value");
  unsigned width = in.byte("sparse width");
  if (width > 32) bad_payload("sparse width " + std::to_string(width) + " is more than 32 bits");
  std::uint64_t exceptions = in.varint("sparse exception count");
  // Each exception takes at least one byte.
  if (exceptions > count || exceptions > in.remaining()) too_few(count);
  const std::uint64_t mask = (std::uint64_t{1} << width) - 1;
  for (std::uint64_t i = 0; i < exceptions; ++i) {
    std::uint64_t e = in.varint("sparse exception");
    std::uint64_t gap = e >> width;
    std::uint64_t value = e & mask;
    if (gap >= count - out.size()) {
      bad_payload("a gap of " + std::to_string(gap) + " choices overflows the declared count " +
                  std::to_string(count));
    }
    out.insert(out.end(), static_cast<std::size_t>(gap), common);
    out.push_back(static_cast<std::uint32_t>(value));
  }
  out.insert(out.end(), static_cast<std::size_t>(count - out.size()), common);
}

// Parses "b<version>." and returns the index just after it.
std::size_t check_prefix(std::string_view token) {
  std::size_t i = 1;
  std::uint64_t version = 0;
  bool digits = false;
  if (!token.empty() && token[0] == 'b') {
    while (i < token.size() && token[i] >= '0' && token[i] <= '9' && i < 10) {
      version = version * 10 + static_cast<unsigned>(token[i] - '0');
      digits = true;
      ++i;
    }
  }
  if (!digits || i >= token.size() || token[i] != '.') {
    std::string shown;
    for (char c : token.substr(0, 8)) shown += (c >= 0x20 && c < 0x7f) ? c : '?';
    throw ValueError("not a braid replay token: it should start with \"" + std::string(kTokenPrefix) +
                     "\" but starts with \"" + shown + "\"");
  }
  if (version != kTokenVersion) {
    throw ValueError("unsupported replay token version " + std::to_string(version) +
                     ": this build of braid reads version " + std::to_string(kTokenVersion) +
                     " (re-run the exploration with this build to get a new token)");
  }
  return i + 1;
}

}  // namespace

const char* strategy_name(StrategyKind kind) noexcept {
  switch (kind) {
    case StrategyKind::kRandom: return "random";
    case StrategyKind::kPct: return "pct";
    case StrategyKind::kDfs: return "dfs";
    case StrategyKind::kReplay: return "replay";
    case StrategyKind::kFuzz: return "fuzz";
  }
  return "unknown";
}

std::string detail::seal_payload(const std::vector<std::uint8_t>& payload) {
  std::vector<std::uint8_t> bytes = payload;
  std::uint32_t crc = detail::crc32(payload.data(), payload.size(), prefix_crc());
  for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<std::uint8_t>(crc >> (8 * i)));
  return std::string(kTokenPrefix) + detail::base64url_encode(bytes.data(), bytes.size());
}

std::string encode_token(const TokenData& data) {
  if (data.choices.size() > kMaxTokenChoices) {
    throw ValueError("cannot encode a replay token of " + std::to_string(data.choices.size()) +
                     " choices: the limit is " + std::to_string(kMaxTokenChoices));
  }
  std::vector<std::uint8_t> payload;
  payload.reserve(32 + data.choices.size() / 2);
  put_varint(payload, static_cast<std::uint64_t>(data.strategy));
  put_varint(payload, data.strategy_param);
  put_varint(payload, data.seed);
  put_varint(payload, data.execution);
  put_varint(payload, data.choices.size());
  put_choices(payload, data.choices);
  return detail::seal_payload(payload);
}

TokenData decode_token(std::string_view token) {
  if (token.empty()) throw ValueError("replay token is empty");
  std::size_t body = check_prefix(token);
  std::vector<std::uint8_t> bytes = detail::base64url_decode(token.substr(body), body);
  if (bytes.size() < 4) throw ValueError("replay token is corrupt or was cut short");
  std::size_t size = bytes.size() - 4;
  std::uint32_t stored = 0;
  for (int i = 0; i < 4; ++i) stored |= std::uint32_t{bytes[size + i]} << (8 * i);
  if (detail::crc32(bytes.data(), size, prefix_crc()) != stored) {
    throw ValueError("replay token checksum mismatch: token is corrupt or was cut short");
  }

  Reader in(bytes.data(), size);
  TokenData data;
  std::uint64_t strategy = in.varint("strategy");
  if (strategy > kMaxStrategy) bad_payload("unknown strategy " + std::to_string(strategy));
  data.strategy = static_cast<StrategyKind>(strategy);
  data.strategy_param = in.varint32("strategy_param");
  data.seed = in.varint("seed");
  data.execution = in.varint("execution");
  std::uint64_t count = in.varint("choice count");
  if (count > kMaxTokenChoices) {
    bad_payload("it declares " + std::to_string(count) + " choices, more than the limit of " +
                std::to_string(kMaxTokenChoices));
  }
  std::uint8_t encoding = in.byte("choice encoding");
  switch (encoding) {
    case kVarints: read_varint_choices(in, count, data.choices); break;
    case kRuns: read_run_choices(in, count, data.choices); break;
    case kPacked: read_packed_choices(in, count, data.choices); break;
    case kSparse: read_sparse_choices(in, count, data.choices); break;
    default: bad_payload("unknown choice encoding " + std::to_string(encoding));
  }
  if (in.remaining() != 0) {
    bad_payload("trailing garbage: " + std::to_string(in.remaining()) + " unexpected byte(s) after the choices");
  }
  return data;
}

}  // namespace braid::report
