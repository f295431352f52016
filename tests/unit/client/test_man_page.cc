// doc/man/compss.1 is kept true to the code: every option each subcommand's --help lists is documented.
#include <catch2/catch.hpp>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "tools/cli/command_options.h"
#include "tools/cli/submit_options.h"

namespace {

std::string man_page() {
  std::ifstream f(COMPSS_MAN_PAGE);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::set<std::string> long_options(const std::string& help) {
  std::set<std::string> out;
  std::regex option("--([a-z][a-z-]*)");
  for (auto it = std::sregex_iterator(help.begin(), help.end(), option); it != std::sregex_iterator(); ++it)
    out.insert((*it)[1]);
  return out;
}

// groff writes a hyphen as \- in option names.
std::string groff(const std::string& name) {
  std::string s = "\\-\\-";
  for (char c : name) s += (c == '-') ? std::string("\\-") : std::string(1, c);
  return s;
}

}  // namespace

TEST_CASE("every option of every subcommand is in the man page", "[cli][man]") {
  const std::string page = man_page();
  REQUIRE_FALSE(page.empty());
  using namespace compss::cli;
  for (const auto& help : {submit_help(), wait_help(), status_help(), cancel_help(), explain_help()}) {
    auto options = long_options(help);
    CHECK(options.size() >= 2);  // at least --json and --help
    for (const auto& name : options) {
      INFO("--" << name);
      CHECK(page.find(groff(name)) != std::string::npos);
    }
  }
  for (const char* section : {".SH EXIT STATUS", "COMPSS_SOCKET", "COMPSS_ADDRESS", ".SH EXAMPLES"})
    CHECK(page.find(section) != std::string::npos);
  for (const char* code : {".B 0\n", ".B 1\n", ".B 2\n", ".B 3\n", ".B 4\n"})
    CHECK(page.find(code) != std::string::npos);
}
