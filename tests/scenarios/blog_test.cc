// The tutorial's programs reach their expected verdicts, and every failure's
// token replays to the same kind of failure.
#include <gtest/gtest.h>

#include "blog/scenario.h"
#include "braid/testing.h"

namespace {

class BlogScenario : public ::testing::TestWithParam<std::string> {};

TEST_P(BlogScenario, ReachesItsVerdict) {
  const braid::blog::Scenario* s = braid::blog::find(GetParam());
  ASSERT_NE(s, nullptr);
  braid::Options options;
  options.executions = 2000;
  if (s->expect == braid::blog::Verdict::kPass) {
    BRAID_EXPECT_OK(options, s->body);
  } else {
    braid::Report r = braid::testing::expect_failure(s->expected_kind, options, s->body);
    EXPECT_FALSE(r.token.empty());
  }
}

std::vector<std::string> scenario_names() {
  std::vector<std::string> names;
  for (const auto& s : braid::blog::all()) names.push_back(s.name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(Tutorial, BlogScenario, ::testing::ValuesIn(scenario_names()),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n) if (c == '-') c = '_';
                           return n;
                         });

TEST(BlogRegistry, NamesAreUniqueAndFindable) {
  for (const auto& s : braid::blog::all()) {
    EXPECT_EQ(braid::blog::find(s.name), &s);
    EXPECT_FALSE(s.summary.empty());
  }
  EXPECT_EQ(braid::blog::find("no-such-scenario"), nullptr);
}

}  // namespace
