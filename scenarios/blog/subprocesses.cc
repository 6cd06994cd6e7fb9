// The tutorial's subprocess programs. subprocess always runs real children,
// under the model too: these scenarios have one logical thread and check
// the results of real programs.
//
//   r = subprocess.call(['nslookup', 'www.python.org'])
//   p = subprocess.Popen(['nslookup'], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
//                        stderr=subprocess.PIPE)
//   output, err = p.communicate(b'set q=mx\npython.org\nexit\n')
//
// (`nslookup` needs a network; the renderings use `echo` and `cat`.)
#include <string>

#include "blog/scenario.h"
#include "braid/explore.h"
#include "braid/subprocess.h"

namespace braid::blog {
namespace {

void call_program() {
  const int code = subprocess::call({"echo", "www.python.org"}, {.stdout_ = subprocess::DEVNULL});
  BRAID_ASSERT(code == 0, "echo exited with ", code);
}

void communicate_program() {
  subprocess::Popen p({"cat"}, {.stdin_ = subprocess::PIPE, .stdout_ = subprocess::PIPE, .stderr_ = subprocess::PIPE});
  const std::string input = "set q=mx\npython.org\nexit\n";
  auto [out, err] = p.communicate(input);
  BRAID_ASSERT(out == input, "cat echoed ", out.value_or("").size(), " bytes, not ", input.size());
  BRAID_ASSERT(err.value_or("").empty(), "stderr: ", err.value_or(""));
  BRAID_ASSERT(p.returncode() == 0, "cat exited with ", p.returncode().value_or(-1));
}

}  // namespace

void add_subprocess_scenarios(std::vector<Scenario>& out) {
  out.push_back({"subprocess-call", "subprocess.call runs a real program and returns its exit code",
                 "subprocess.call(['nslookup', 'www.python.org'])", Verdict::kPass, FailureKind::kNone,
                 call_program});
  out.push_back({"subprocess-communicate",
                 "Popen.communicate writes stdin and reads stdout and stderr of a real child, all at once",
                 "p.communicate(b'set q=mx\\npython.org\\nexit\\n')", Verdict::kPass, FailureKind::kNone,
                 communicate_program});
}

}  // namespace braid::blog
